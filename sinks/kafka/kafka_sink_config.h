#pragma once

#include <chrono>
#include <optional>
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

// --exactly-once: every delivered range is one Kafka transaction, with a record of the position it
// reaches in `position_topic`, keyed by `transactional_id`.
struct KafkaTransactions {
  std::string transactional_id;
  std::string position_topic;
};

// What the Kafka sink runs with: the URL parsed, the format chosen, the properties read and checked.
struct KafkaSinkConfig {
  KafkaUrl url;
  KafkaFormat format = KafkaFormat::kEvent;
  bool tombstones = true;      // with kDebezium only
  KafkaProperties properties;  // the user's, none of them reserved; values never logged
  std::chrono::milliseconds timeout{30000};
  std::string source_db;                          // the database file, named in Debezium's source.db
  std::optional<KafkaTransactions> transactions;  // set with --exactly-once
};

// Fails with kInvalidArgument naming the URL, flag, file or property at fault, never a property value.
// `log_table` and `exactly_once` as the run has them: the default transactional id is derived from
// the database and the log.
Status ResolveKafkaSinkConfig(const std::string& url, const KafkaSinkOptions& options, const std::string& source_db,
                              KafkaSinkConfig* config, bool exactly_once = false,
                              const std::string& log_table = "__cdc_log");

// `sqlite-cdc-` and 16 hex digits of SHA-256 over the database file's canonical path and the log
// table's name: the same database and log give the same id however the path is spelled, so that a
// restarted instance takes over (and fences) the transactions of the one before.
std::string DefaultTransactionalId(const std::string& db_path, const std::string& log_table);

}  // namespace sqlite_cdc::sinks
