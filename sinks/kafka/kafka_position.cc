#include "sinks/kafka/kafka_position.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "sinks/kafka/kafka_errors.h"
#include "sinks/kafka/kafka_handles.h"

namespace sqlite_cdc::sinks {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr milliseconds kPollSlice{100};
// Creating the position topic is a convenience: a cluster that does not answer (librdkafka's mock
// cluster waits for a controller it never names) must not hold up the start for long.
constexpr milliseconds kMaxCreateWait{5000};

struct AdminDeleter {
  void operator()(rd_kafka_NewTopic_t* topic) const { rd_kafka_NewTopic_destroy(topic); }
  void operator()(rd_kafka_queue_t* queue) const { rd_kafka_queue_destroy(queue); }
  void operator()(rd_kafka_event_t* event) const { rd_kafka_event_destroy(event); }
  void operator()(const rd_kafka_metadata_t* metadata) const { rd_kafka_metadata_destroy(metadata); }
  void operator()(rd_kafka_topic_partition_list_t* list) const { rd_kafka_topic_partition_list_destroy(list); }
  void operator()(rd_kafka_message_t* message) const { rd_kafka_message_destroy(message); }
  void operator()(rd_kafka_AdminOptions_t* options) const { rd_kafka_AdminOptions_destroy(options); }
};
template <typename T>
using AdminHandle = std::unique_ptr<T, AdminDeleter>;

const char* SnapshotName(SinkPosition::Snapshot snapshot) {
  switch (snapshot) {
    case SinkPosition::Snapshot::kUnfinished:
      return "unfinished";
    case SinkPosition::Snapshot::kComplete:
      return "complete";
    case SinkPosition::Snapshot::kNone:
      break;
  }
  return "none";
}

int Millis(milliseconds duration) { return static_cast<int>(duration.count()); }

// Whether the cluster has `topic`, by a metadata request for every topic (asking for the one topic
// would make a cluster that auto-creates topics create it, uncompacted).
std::optional<bool> TopicExists(rd_kafka_t* handle, const std::string& topic, milliseconds timeout) {
  const rd_kafka_metadata_t* raw = nullptr;
  if (rd_kafka_metadata(handle, 1, nullptr, &raw, Millis(timeout)) != RD_KAFKA_RESP_ERR_NO_ERROR) return std::nullopt;
  AdminHandle<const rd_kafka_metadata_t> metadata(raw);
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    if (topic == metadata->topics[i].topic) return metadata->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR;
  }
  return false;
}

void LogFromConsumer(const rd_kafka_t* consumer, int /*level*/, const char* facility, const char* text) {
  const auto* config = static_cast<const KafkaSinkConfig*>(rd_kafka_opaque(consumer));
  spdlog::debug("kafka position reader {}: {}", facility, RedactValues(text, config->properties));
}

// A consumer with the user's properties (security, client.id) that reads records at `isolation`:
// "read_committed" to read positions, "read_uncommitted" to ask where a partition ends (librdkafka
// asks for the end at the handle's own isolation level, and a read_committed end is the last stable
// offset).
HandlerResult OpenConsumer(const KafkaSinkConfig& config, const std::string& isolation, KafkaHandle* consumer) {
  KafkaConf conf(rd_kafka_conf_new());
  char error[512];
  auto set = [&](const std::string& name, const std::string& value) {
    return rd_kafka_conf_set(conf.get(), name.c_str(), value.c_str(), error, sizeof error) == RD_KAFKA_CONF_OK;
  };
  for (const auto& [name, value] : config.properties) set(name, value);  // the producer refused bad ones already
  const std::pair<std::string, std::string> ours[] = {
      {"bootstrap.servers", config.url.bootstrap_servers},
      {"isolation.level", isolation},
      {"enable.partition.eof", "true"},
      {"enable.auto.commit", "false"},
      {"auto.offset.reset", "earliest"},
      {"group.id", "sqlite-cdc-position-reader"},  // never joined nor committed to: assign() only
  };
  for (const auto& [name, value] : ours) {
    if (!set(name, value)) {
      return HandlerResult::Fatal("kafka: position reader property '" + name +
                                  "': " + RedactValues(error, config.properties));
    }
  }
  rd_kafka_conf_set_log_cb(conf.get(), &LogFromConsumer);
  rd_kafka_conf_set_opaque(conf.get(), const_cast<KafkaSinkConfig*>(&config));
  consumer->reset(rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), error, sizeof error));
  if (!*consumer) {
    return HandlerResult::Fatal("kafka: cannot create the position reader: " + RedactValues(error, config.properties));
  }
  conf.release();  // rd_kafka_new owns it now
  return HandlerResult::Success();
}

}  // namespace

std::string PositionRecordValue(const SinkPosition& position) {
  nlohmann::json value;
  value["log_id"] = position.log_id ? nlohmann::json(*position.log_id) : nlohmann::json(nullptr);
  value["snapshot"] = SnapshotName(position.snapshot);
  if (!position.log_epoch.empty()) value["log_epoch"] = position.log_epoch;
  return value.dump();
}

std::optional<SinkPosition> ParsePositionRecord(std::string_view value) {
  const nlohmann::json json = nlohmann::json::parse(value, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object() || !json.contains("log_id") || !json.contains("snapshot")) return std::nullopt;
  SinkPosition position;
  position.kept = true;
  const nlohmann::json& log_id = json["log_id"];
  if (log_id.is_number_integer()) {
    position.log_id = log_id.get<int64_t>();
  } else if (!log_id.is_null()) {
    return std::nullopt;
  }
  const nlohmann::json& snapshot = json["snapshot"];
  if (snapshot == "none") {
    position.snapshot = SinkPosition::Snapshot::kNone;
  } else if (snapshot == "unfinished") {
    position.snapshot = SinkPosition::Snapshot::kUnfinished;
  } else if (snapshot == "complete") {
    position.snapshot = SinkPosition::Snapshot::kComplete;
  } else {
    return std::nullopt;
  }
  if (json.contains("log_epoch")) {
    if (!json["log_epoch"].is_string()) return std::nullopt;
    position.log_epoch = json["log_epoch"].get<std::string>();
  }
  return position;
}

void EnsurePositionTopic(rd_kafka_t* producer, const std::string& topic, milliseconds timeout) {
  const std::string advice = "create it with cleanup.policy=compact, or the cluster keeps every position record";
  const std::optional<bool> exists = TopicExists(producer, topic, timeout);
  if (exists.value_or(false)) return;
  if (!exists) {
    spdlog::warn("kafka: cannot tell whether the position topic {} exists (no metadata); if not, {}", topic, advice);
    return;
  }
  char error[512];
  AdminHandle<rd_kafka_NewTopic_t> request(rd_kafka_NewTopic_new(topic.c_str(), 1, -1, error, sizeof error));
  if (!request || rd_kafka_NewTopic_set_config(request.get(), "cleanup.policy", "compact")) {
    spdlog::warn("kafka: cannot create the position topic {}: {}; {}", topic, error, advice);
    return;
  }
  AdminHandle<rd_kafka_queue_t> queue(rd_kafka_queue_new(producer));
  rd_kafka_NewTopic_t* topics[] = {request.get()};
  const milliseconds wait = std::min(timeout, kMaxCreateWait);
  AdminHandle<rd_kafka_AdminOptions_t> options(rd_kafka_AdminOptions_new(producer, RD_KAFKA_ADMIN_OP_CREATETOPICS));
  rd_kafka_AdminOptions_set_request_timeout(options.get(), Millis(wait), error, sizeof error);
  rd_kafka_CreateTopics(producer, topics, 1, options.get(), queue.get());
  AdminHandle<rd_kafka_event_t> event(rd_kafka_queue_poll(queue.get(), Millis(wait + kPollSlice)));
  std::string why;
  if (!event) {
    why = "no answer";
  } else if (rd_kafka_event_error(event.get())) {
    why = rd_kafka_event_error_string(event.get());
  } else if (const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(event.get())) {
    size_t count = 0;
    const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(result, &count);
    for (size_t i = 0; i < count; ++i) {
      const rd_kafka_resp_err_t code = rd_kafka_topic_result_error(results[i]);
      if (code != RD_KAFKA_RESP_ERR_NO_ERROR && code != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        why = rd_kafka_topic_result_error_string(results[i]) ? rd_kafka_topic_result_error_string(results[i])
                                                             : rd_kafka_err2str(code);
      }
    }
  }
  if (why.empty()) {
    spdlog::info("kafka: created the position topic {} (compacted)", topic);
  } else {
    spdlog::warn("kafka: cannot create the position topic {} ({}); {}", topic, why, advice);
  }
}

HandlerResult ReadStoredPosition(const KafkaSinkConfig& config, milliseconds timeout,
                                 std::optional<SinkPosition>* position) {
  const KafkaTransactions& transactions = *config.transactions;
  const std::string& topic = transactions.position_topic;
  const auto deadline = steady_clock::now() + timeout;
  KafkaHandle consumer;
  if (HandlerResult opened = OpenConsumer(config, "read_committed", &consumer);
      opened.kind != HandlerResult::Kind::kSuccess) {
    return opened;
  }
  KafkaTopic handle(rd_kafka_topic_new(consumer.get(), topic.c_str(), nullptr));
  const rd_kafka_metadata_t* raw = nullptr;
  const rd_kafka_resp_err_t asked = rd_kafka_metadata(consumer.get(), 0, handle.get(), &raw, Millis(timeout));
  if (asked != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return HandlerResult::Retry("kafka: cannot read the position topic " + topic + ": " + rd_kafka_err2str(asked));
  }
  AdminHandle<const rd_kafka_metadata_t> metadata(raw);
  position->reset();
  if (metadata->topic_cnt != 1 || metadata->topics[0].err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
    return HandlerResult::Success();  // no topic: no position stored yet
  }
  const rd_kafka_metadata_topic_t& described = metadata->topics[0];
  if (described.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    const std::string message =
        "kafka: cannot read the position topic " + topic + ": " + rd_kafka_err2str(described.err);
    return ClassifyKafkaError(described.err) == HandlerResult::Kind::kFatal ? HandlerResult::Fatal(message)
                                                                            : HandlerResult::Retry(message);
  }
  AdminHandle<rd_kafka_topic_partition_list_t> partitions(rd_kafka_topic_partition_list_new(described.partition_cnt));
  for (int i = 0; i < described.partition_cnt; ++i) {
    rd_kafka_topic_partition_list_add(partitions.get(), topic.c_str(), described.partitions[i].id)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
  }
  handle.reset();
  // Read to the high watermark, not to the first end a read_committed consumer reports: that end is
  // the last stable offset, which another producer's open transaction (another database's instance
  // sharing the topic, or one that crashed, until its transaction times out) holds back, and our
  // newest committed record may lie behind it. A stale position would deliver again what Kafka
  // already holds, or be refused as behind the log. Taken after init_transactions, so our own
  // earlier producer's transaction is already settled.
  KafkaHandle end_reader;
  if (HandlerResult opened = OpenConsumer(config, "read_uncommitted", &end_reader);
      opened.kind != HandlerResult::Kind::kSuccess) {
    return opened;
  }
  std::map<int32_t, int64_t> remaining;  // partition -> its high watermark, until read to it
  for (int i = 0; i < described.partition_cnt; ++i) {
    int64_t low = 0, high = 0;
    const int32_t partition = described.partitions[i].id;
    const rd_kafka_resp_err_t queried =
        rd_kafka_query_watermark_offsets(end_reader.get(), topic.c_str(), partition, &low, &high, Millis(timeout));
    if (queried != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return HandlerResult::Retry("kafka: cannot read the end of the position topic " + topic + ": " +
                                  rd_kafka_err2str(queried));
    }
    if (high > low) remaining[partition] = high;
  }
  if (remaining.empty()) return HandlerResult::Success();  // nothing ever stored
  if (const rd_kafka_resp_err_t assigned = rd_kafka_assign(consumer.get(), partitions.get())) {
    return HandlerResult::Retry("kafka: cannot read the position topic " + topic + ": " + rd_kafka_err2str(assigned));
  }
  // The newest record of the key: one key always lands in one partition, so offset order is write order.
  std::optional<std::string> newest;
  HandlerResult outcome = HandlerResult::Success();
  int64_t stable_end = -1;  // where the last end reported stood, for the message when time runs out
  while (!remaining.empty()) {
    if (steady_clock::now() >= deadline) {
      std::string why = "kafka: the position topic " + topic + " was not read to its end within " +
                        std::to_string(timeout.count()) + " ms";
      if (stable_end >= 0) {
        why += " (its committed records end at offset " + std::to_string(stable_end) + ", before " +
               std::to_string(remaining.begin()->second) +
               ": a transaction another producer left open holds it until that producer commits, aborts or "
               "times out)";
      }
      outcome = HandlerResult::Retry(why);
      break;
    }
    AdminHandle<rd_kafka_message_t> message(rd_kafka_consumer_poll(consumer.get(), Millis(kPollSlice)));
    if (!message) continue;
    if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      // The end reported is the last stable offset; past it wait for the records still in doubt.
      const auto partition = remaining.find(message->partition);
      if (partition != remaining.end() && message->offset >= partition->second) {
        remaining.erase(partition);
      } else {
        stable_end = message->offset;
      }
      continue;
    }
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (ClassifyKafkaError(message->err) == HandlerResult::Kind::kFatal) {
        outcome = HandlerResult::Fatal("kafka: cannot read the position topic " + topic + ": " +
                                       rd_kafka_err2str(message->err));
        break;
      }
      continue;  // passing (a leader moving, a broker reconnecting): librdkafka fetches again
    }
    if (const auto partition = remaining.find(message->partition);
        partition != remaining.end() && message->offset + 1 >= partition->second) {
      remaining.erase(partition);
    }
    const std::string_view key(static_cast<const char*>(message->key), message->key_len);
    if (key != transactions.transactional_id) continue;
    newest = message->payload ? std::string(static_cast<const char*>(message->payload), message->len) : std::string();
  }
  rd_kafka_consumer_close(consumer.get());
  if (outcome.kind != HandlerResult::Kind::kSuccess) return outcome;
  if (newest) {
    *position = ParsePositionRecord(*newest);
    if (!*position) {
      return HandlerResult::Fatal("kafka: the position record of transactional id " + transactions.transactional_id +
                                  " in topic " + topic + " is not one sqlite-cdc wrote");
    }
  }
  return HandlerResult::Success();
}

}  // namespace sqlite_cdc::sinks
