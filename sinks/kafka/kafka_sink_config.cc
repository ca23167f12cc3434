#include "sinks/kafka/kafka_sink_config.h"

#include <cstdint>
#include <filesystem>
#include <limits>

#include "sinks/kafka/kafka_url.h"
#include "sinks/net/crypto.h"

namespace sqlite_cdc::sinks {

std::string DefaultTransactionalId(const std::string& db_path, const std::string& log_table) {
  std::error_code error;
  std::filesystem::path canonical = std::filesystem::weakly_canonical(db_path, error);
  if (error) canonical = std::filesystem::absolute(db_path, error);
  const std::string digest = LowerHex(Sha256(canonical.string() + '\0' + log_table));
  return "sqlite-cdc-" + digest.substr(0, 16);
}

Status ResolveKafkaSinkConfig(const std::string& url, const KafkaSinkOptions& options, const std::string& source_db,
                              KafkaSinkConfig* config, bool exactly_once, const std::string& log_table) {
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
  if (exactly_once) {
    KafkaTransactions& transactions = resolved.transactions.emplace();
    transactions.transactional_id =
        options.transactional_id.empty() ? DefaultTransactionalId(source_db, log_table) : options.transactional_id;
    transactions.position_topic = options.position_topic;
    if (options.position_topic.empty() || options.position_topic.size() > kMaxTopicLength ||
        options.position_topic == "." || options.position_topic == ".." ||
        options.position_topic.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
            std::string::npos) {
      return Status::InvalidArgument("--kafka-position-topic '" + options.position_topic +
                                     "' is not a Kafka topic name (letters, digits, '.', '_', '-')");
    }
    if (resolved.url.topic == options.position_topic) {
      return Status::InvalidArgument("--kafka-position-topic must differ from the topic the changes go to");
    }
  } else if (!options.transactional_id.empty()) {
    return Status::InvalidArgument("--kafka-transactional-id applies with --exactly-once only");
  }
  *config = std::move(resolved);
  return Status::Ok();
}

}  // namespace sqlite_cdc::sinks
