#include "sinks/kafka/kafka_sink_config.h"

#include <cstdint>
#include <limits>

namespace sqlite_cdc::sinks {

Status ResolveKafkaSinkConfig(const std::string& url, const KafkaSinkOptions& options, const std::string& source_db,
                              KafkaSinkConfig* config) {
  KafkaSinkConfig resolved;
  if (Status status = ParseKafkaUrl(url, &resolved.url); !status.ok()) return status;
  if (options.format == "event") {
    resolved.format = KafkaFormat::kEvent;
  } else if (options.format == "debezium") {
    resolved.format = KafkaFormat::kDebezium;
  } else {
    return Status::InvalidArgument("unknown --format '" + options.format + "' (expected event or debezium)");
  }
  resolved.tombstones = options.tombstones;
  // The file first: a flag given on the command line wins over the file, as the later setting.
  if (!options.properties_file.empty()) {
    if (Status status = ReadKafkaPropertyFile(options.properties_file, &resolved.properties); !status.ok()) {
      return status;
    }
  }
  for (const std::string& property : options.properties) {
    if (Status status = ParseKafkaProperty(property, "--kafka-property", &resolved.properties); !status.ok()) {
      return status;
    }
  }
  // message.timeout.ms is a 32-bit count of milliseconds (about 24 days).
  if (options.timeout.count() <= 0 || options.timeout.count() > std::numeric_limits<int32_t>::max()) {
    return Status::InvalidArgument("--kafka-timeout must be positive and at most 596h");
  }
  resolved.timeout = options.timeout;
  resolved.source_db = source_db;
  *config = std::move(resolved);
  return Status::Ok();
}

}  // namespace sqlite_cdc::sinks
