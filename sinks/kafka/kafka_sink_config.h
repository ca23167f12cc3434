#pragma once

#include <chrono>
#include <string>

#include "sinks/kafka/kafka_properties.h"
#include "sinks/kafka/kafka_sink_options.h"
#include "sinks/kafka/kafka_url.h"
#include "sqlite_cdc/status.h"

namespace sqlite_cdc::sinks {

enum class KafkaFormat {
  kEvent,     // the change event JSON, as --output json writes it
  kDebezium,  // Debezium's envelope, and a tombstone after each delete unless turned off
};

// What the Kafka sink runs with: the URL parsed, the format chosen, the properties read and checked.
struct KafkaSinkConfig {
  KafkaUrl url;
  KafkaFormat format = KafkaFormat::kEvent;
  bool tombstones = true;      // with kDebezium only
  KafkaProperties properties;  // the user's, none of them reserved; values never logged
  std::chrono::milliseconds timeout{30000};
  std::string source_db;  // the database file, named in Debezium's source.db
};

// Fails with kInvalidArgument naming the URL, flag, file or property at fault, never a property value.
Status ResolveKafkaSinkConfig(const std::string& url, const KafkaSinkOptions& options, const std::string& source_db,
                              KafkaSinkConfig* config);

}  // namespace sqlite_cdc::sinks
