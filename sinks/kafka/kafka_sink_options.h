#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace sqlite_cdc::sinks {

// Settings of the kafka:// output beyond the URL itself, as the user gave them.
struct KafkaSinkOptions {
  std::string format = "event";              // "event" (the change event JSON) or "debezium"
  bool tombstones = true;                    // debezium: a null-valued record after each delete
  std::vector<std::string> properties;       // librdkafka "name=value"; values are never logged
  std::string properties_file;               // more "name=value" lines, for secrets
  std::chrono::milliseconds timeout{30000};  // bound on each batch's delivery (message.timeout.ms)
  // With --exactly-once only: the producer's transactional.id (empty: derived from the database
  // and the log, DefaultTransactionalId) and the compacted topic the position is kept in.
  std::string transactional_id;
  std::string position_topic = "sqlite-cdc-positions";
};

}  // namespace sqlite_cdc::sinks
