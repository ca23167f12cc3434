#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "sinks/kafka/kafka_sink_config.h"
#include "sqlite_cdc/changes_handler.h"

namespace sqlite_cdc::sinks {

// The position record of --exactly-once: in the position topic, keyed by the transactional id,
// written in the same transaction as the changes it follows. Its value is a persistent format:
//   {"log_id":N,"snapshot":"none|unfinished|complete","log_epoch":"..."}
// (log_id null: no change stored yet; log_epoch: the log's identity, WatchedSchema::log_epoch,
// absent when unknown).
std::string PositionRecordValue(const SinkPosition& position);
// nullopt when `value` is not such a record.
std::optional<SinkPosition> ParsePositionRecord(std::string_view value);

// Creates the position topic compacted, with one partition, when the cluster does not have it.
// Best effort: a cluster that refuses (or, like librdkafka's mock cluster, does not know
// CreateTopics) gets a warning telling the operator to create it; the first transaction then
// produces to it anyway (and a cluster that auto-creates topics makes it, uncompacted).
void EnsurePositionTopic(rd_kafka_t* producer, const std::string& topic, std::chrono::milliseconds timeout);

// Reads, as a read_committed consumer, every partition of the position topic to its high watermark
// as it stands at the call (past any transaction still open then, so it waits for those to end); the
// newest record keyed by the transactional id wins. `*position` is nullopt when there is none (or no
// topic). kRetry when the cluster does not answer, or an open transaction does not end, in
// `timeout`; kFatal when the client is not let in.
HandlerResult ReadStoredPosition(const KafkaSinkConfig& config, std::chrono::milliseconds timeout,
                                 std::optional<SinkPosition>* position);

}  // namespace sqlite_cdc::sinks
