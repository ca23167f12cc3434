#include "sinks/kafka/kafka_sink.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <utility>

#include "sinks/kafka/debezium_envelope.h"
#include "sinks/kafka/kafka_errors.h"
#include "sinks/kafka/kafka_position.h"

namespace sqlite_cdc::sinks {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// librdkafka looks for timed-out records once a second: a batch waits this much longer than
// message.timeout.ms so that their reports arrive instead of a bare "no answer".
constexpr milliseconds kReportGrace{2000};
constexpr milliseconds kMaxShutdownFlush{10000};
constexpr milliseconds kPollSlice{100};
// --exactly-once: a transaction is committed at the engine's flush, or earlier at these bounds,
// which keep a steady stream's latency and the records a failed commit sends again small.
constexpr milliseconds kTransactionLinger{100};
constexpr size_t kMaxTransactionChanges = 16384;

bool IsFenced(rd_kafka_resp_err_t code) {
  return code == RD_KAFKA_RESP_ERR__FENCED || code == RD_KAFKA_RESP_ERR_PRODUCER_FENCED ||
         code == RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH;
}

std::string ChangeName(const Change& change) {
  return change.bootstrap ? "bootstrap row of " + change.table
                          : "change " + std::to_string(change.id) + " (" + change.table + ")";
}

}  // namespace

Status KafkaSink::Create(KafkaSinkConfig config, std::unique_ptr<KafkaSink>* sink, Clock now) {
  std::unique_ptr<KafkaSink> created(new KafkaSink(std::move(config), std::move(now)));
  if (Status status = created->OpenProducer(); !status.ok()) return status;
  const KafkaSinkConfig& used = created->config_;
  spdlog::info("kafka: producing {} records to topic {} via {}",
               used.format == KafkaFormat::kDebezium ? "Debezium" : "change event", used.url.topic,
               used.url.bootstrap_servers);
  if (used.transactions) {
    spdlog::info("kafka: exactly once: transactional id {}, position in topic {}", used.transactions->transactional_id,
                 used.transactions->position_topic);
  }
  *sink = std::move(created);
  return Status::Ok();
}

KafkaSink::KafkaSink(KafkaSinkConfig config, Clock now) : config_(std::move(config)), now_(std::move(now)) {}

KafkaSink::~KafkaSink() {
  // An open transaction holds only what the engine was never told is stored: abort it now, rather
  // than leave read_committed consumers waiting until the next instance or the transaction timeout.
  if (in_transaction_) AbortTransaction();
  CloseProducer(std::min(config_.timeout, kMaxShutdownFlush));
}

Status KafkaSink::OpenProducer() {
  KafkaConf conf(rd_kafka_conf_new());
  char error[512];
  auto set = [&](const std::string& name, const std::string& value) {
    const rd_kafka_conf_res_t result = rd_kafka_conf_set(conf.get(), name.c_str(), value.c_str(), error, sizeof error);
    if (result == RD_KAFKA_CONF_OK) return Status::Ok();
    // librdkafka's message may quote the value, which may be a secret.
    const std::string why =
        result == RD_KAFKA_CONF_UNKNOWN ? "librdkafka has no such property" : RedactValues(error, config_.properties);
    return Status::InvalidArgument("Kafka property '" + name + "': " + why);
  };
  // Ours first where the user may override, the guarantees last so nothing undoes them
  // (ParseKafkaProperty refuses them anyway). linger.ms: librdkafka's 5 ms wait for more records was
  // most of a commit's way to Kafka (p50 6.4 ms against 3.4 ms with 1 ms, kafka_pipeline_bench.cc),
  // while a backlog batches by itself: records pile up while earlier requests are in flight.
  const std::pair<std::string, std::string> defaults[] = {{"client.id", "sqlite-cdc"}, {"linger.ms", "1"}};
  const std::pair<std::string, std::string> guarantees[] = {
      {"bootstrap.servers", config_.url.bootstrap_servers},
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"partitioner", "murmur2_random"},
      {"message.timeout.ms", std::to_string(config_.timeout.count())},
  };
  for (const auto& [name, value] : defaults) {
    if (Status status = set(name, value); !status.ok()) return status;
  }
  for (const auto& [name, value] : config_.properties) {
    if (Status status = set(name, value); !status.ok()) return status;
  }
  for (const auto& [name, value] : guarantees) {
    if (Status status = set(name, value); !status.ok()) return status;
  }
  if (config_.transactions) {
    // librdkafka requires message.timeout.ms <= transaction.timeout.ms. A transaction also stays open
    // while its commit runs (up to the timeout) and while the engine waits out a busy database, so it
    // gets twice the timeout and 10 s, within the brokers' default maximum of 15 minutes. A killed
    // instance's open transaction blocks read_committed consumers until the next instance starts or
    // this runs out.
    const int64_t transaction_timeout = std::min<int64_t>(2 * config_.timeout.count() + 10'000, 900'000);
    const std::pair<std::string, std::string> transactional[] = {
        {"transactional.id", config_.transactions->transactional_id},
        {"transaction.timeout.ms", std::to_string(std::max<int64_t>(transaction_timeout, config_.timeout.count()))},
    };
    for (const auto& [name, value] : transactional) {
      if (Status status = set(name, value); !status.ok()) return status;
    }
  }
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &KafkaSink::OnDelivery);
  rd_kafka_conf_set_error_cb(conf.get(), &KafkaSink::OnError);
  rd_kafka_conf_set_log_cb(conf.get(), &KafkaSink::OnLog);
  rd_kafka_conf_set_opaque(conf.get(), this);
  producer_.reset(rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), error, sizeof error));
  if (!producer_) {
    return Status::InvalidArgument("cannot create the Kafka producer: " + RedactValues(error, config_.properties));
  }
  conf.release();  // rd_kafka_new owns it now
  return Status::Ok();
}

void KafkaSink::CloseProducer(milliseconds bound) {
  if (!producer_) return;
  rd_kafka_flush(producer_.get(), static_cast<int>(bound.count()));
  if (const int left = rd_kafka_outq_len(producer_.get()); left > 0) {
    // Only records of batches the engine did not acknowledge can be left: their changes are
    // still in the log and will be sent again.
    spdlog::warn(
        "kafka: {} records still unconfirmed after {} ms as the producer closes; their changes stay in the log", left,
        bound.count());
    rd_kafka_purge(producer_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  }
  topics_.clear();
  producer_.reset();
  transactions_ready_ = false;
}

rd_kafka_topic_t* KafkaSink::TopicFor(const std::string& table, std::string* problem) {
  if (auto found = topics_.find(table); found != topics_.end()) return found->second.get();
  const std::string name = TopicForTable(config_.url.topic, table);
  if (name.size() > kMaxTopicLength || name == "." || name == "..") {
    *problem = "kafka: the topic for table " + table + " would be '" + name + "', which Kafka does not allow";
    return nullptr;
  }
  KafkaTopic topic(rd_kafka_topic_new(producer_.get(), name.c_str(), nullptr));
  if (!topic) {
    *problem = "kafka: cannot use topic '" + name + "': " + rd_kafka_err2str(rd_kafka_last_error());
    return nullptr;
  }
  return topics_.emplace(table, std::move(topic)).first->second.get();
}

HandlerResult KafkaSink::Produce(rd_kafka_topic_t* topic, const Change& change, const std::string* value,
                                 steady_clock::time_point deadline) {
  const std::string id = std::to_string(change.id);
  const std::string_view operation = OperationName(change.operation);
  std::array<rd_kafka_vu_t, 8> fields{};
  size_t count = 0;
  auto add = [&](rd_kafka_vtype_t type) -> rd_kafka_vu_t& {
    fields[count].vtype = type;
    return fields[count++];
  };
  add(RD_KAFKA_VTYPE_RKT).u.rkt = topic;
  add(RD_KAFKA_VTYPE_MSGFLAGS).u.i = RD_KAFKA_MSG_F_COPY;
  auto& key = add(RD_KAFKA_VTYPE_KEY).u.mem;
  key.ptr = change.key.empty() ? nullptr : const_cast<char*>(change.key.data());
  key.size = change.key.size();
  auto& payload = add(RD_KAFKA_VTYPE_VALUE).u.mem;
  payload.ptr = value ? const_cast<char*>(value->data()) : nullptr;  // null: a tombstone
  payload.size = value ? value->size() : 0;
  // Our own header list (VTYPE_HEADERS), not VTYPE_HEADER pairs: librdkafka 2.0-2.x frees the list
  // it builds from pairs twice when it refuses the record after creating it (e.g. a topic that
  // has no partitions for us; confluentinc/librdkafka#4627), which crashed the process.
  KafkaHeaders headers;
  if (value) {  // a tombstone is a marker for compaction, not an event: no headers
    headers.reset(rd_kafka_headers_new(3));
    rd_kafka_header_add(headers.get(), "table", -1, change.table.data(), static_cast<ssize_t>(change.table.size()));
    rd_kafka_header_add(headers.get(), "operation", -1, operation.data(), static_cast<ssize_t>(operation.size()));
    rd_kafka_header_add(headers.get(), "id", -1, id.data(), static_cast<ssize_t>(id.size()));
    add(RD_KAFKA_VTYPE_HEADERS).u.headers = headers.get();
  }
  void* opaque = tracker_.Track({change.bootstrap ? 0 : change.id, topic});
  add(RD_KAFKA_VTYPE_OPAQUE).u.ptr = opaque;

  while (true) {
    KafkaError error(rd_kafka_produceva(producer_.get(), fields.data(), count));
    if (!error) {
      (void)headers.release();  // the record owns them now
      return HandlerResult::Success();
    }
    const rd_kafka_resp_err_t code = rd_kafka_error_code(error.get());
    if (code == RD_KAFKA_RESP_ERR__QUEUE_FULL && steady_clock::now() < deadline) {
      rd_kafka_poll(producer_.get(), static_cast<int>(kPollSlice.count()));  // room appears as reports come in
      continue;
    }
    tracker_.Untrack();
    std::string message = "kafka: cannot produce " + ChangeName(change) + " to topic " + rd_kafka_topic_name(topic) +
                          ": " + rd_kafka_error_string(error.get());
    if (code == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) {
      message += " (" + std::to_string(value ? value->size() : 0) +
                 " bytes; the limits are librdkafka's message.max.bytes and the topic's max.message.bytes)";
    }
    return ClassifyKafkaError(code) == HandlerResult::Kind::kFatal ? HandlerResult::Fatal(std::move(message))
                                                                   : HandlerResult::Retry(std::move(message));
  }
}

// Per-key order across a failure. Every record of a key goes to one partition (murmur2 of the key,
// the partition count taken as fixed), and one idempotent producer writes a partition's records in
// the order they were produced, retries included (that is what enable.idempotence guarantees). After
// a failure the engine sends again, in log order, every change from the first unconfirmed batch on,
// and Send produces them after everything the failed attempt queued. So on the same producer, an old
// copy still queued or in flight lands before the re-sent copies of its partition or never: per key
// the last copy is a re-sent one, and the re-sent ones are in log order. A producer with a fatal
// error sends nothing more; it is purged and destroyed (its connections closed) before a fresh one
// is created, which needs an InitProducerId round trip before its first Produce request, so nothing
// of the old one can land after the new one's records either. A failure of the re-sent records
// starts the same argument again.
HandlerResult KafkaSink::Send(const Changes& batch) {
  if (config_.transactions) return SendInTransaction(batch);
  char reason[512];
  if (producer_ && rd_kafka_fatal_error(producer_.get(), reason, sizeof reason) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (!tracker_.empty()) {  // Poll has not told yet: the batches in flight fail with it
      HandlerResult failure = Failure();
      ForgetInFlight();
      return failure;
    }
    // Raised after the last batch was confirmed: this producer would refuse every record.
    spdlog::warn("kafka: the producer failed between batches ({}); starting a new one",
                 RedactValues(reason, config_.properties));
    CloseProducer(milliseconds(0));
  }
  if (!producer_) {
    if (Status status = OpenProducer(); !status.ok()) return HandlerResult::Fatal(status.message());
  }
  if (tracker_.empty()) client_refused_.reset();  // a refusal counts against the window it came in
  HandlerResult result = ProduceBatch(batch);
  // What the batch already queued is reported later and ignored, as is what batches before it queued.
  if (result.kind != HandlerResult::Kind::kSuccess) ForgetInFlight();
  return result;
}

HandlerResult KafkaSink::ProduceBatch(const Changes& batch) {
  const auto deadline = steady_clock::now() + config_.timeout;
  const int64_t now_ms = std::chrono::duration_cast<milliseconds>(now_().time_since_epoch()).count();
  const bool debezium = config_.format == KafkaFormat::kDebezium;
  tracker_.StartBatch();
  for (const Change& change : batch) {
    std::string problem;
    rd_kafka_topic_t* topic = TopicFor(change.table, &problem);
    if (topic == nullptr) return HandlerResult::Fatal(problem);
    value_.clear();
    if (debezium) {
      AppendDebeziumEnvelope(value_, change, config_.source_db, now_ms);
    } else {
      AppendEventJson(value_, change);
    }
    if (HandlerResult result = Produce(topic, change, &value_, deadline);
        result.kind != HandlerResult::Kind::kSuccess) {
      return result;
    }
    if (debezium && config_.tombstones && change.operation == Operation::kDelete) {
      if (HandlerResult result = Produce(topic, change, nullptr, deadline);
          result.kind != HandlerResult::Kind::kSuccess) {
        return result;
      }
    }
  }
  tracker_.EndBatch(steady_clock::now());
  return HandlerResult::Success();
}

Confirmations KafkaSink::Poll(milliseconds wait, bool flush) {
  if (config_.transactions) return PollTransactions(wait, flush);
  // librdkafka sends on its own schedule (linger.ms): holding nothing back, there is nothing to flush.
  Confirmations result;
  if (!producer_) return result;  // nothing in flight
  const auto deadline = steady_clock::now() + wait;
  for (;;) {
    rd_kafka_poll(producer_.get(), 0);
    result.batches += tracker_.TakeConfirmed();
    result.failure = Failure();
    if (result.failure.kind != HandlerResult::Kind::kSuccess) {
      ForgetInFlight();
      return result;
    }
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - steady_clock::now());
    if (result.batches > 0 || tracker_.empty() || left.count() <= 0) return result;
    rd_kafka_poll(producer_.get(), static_cast<int>(std::min(left, kPollSlice).count()));
  }
}

HandlerResult KafkaSink::Failure() {
  if (tracker_.empty()) return HandlerResult::Success();
  char reason[512];
  if (const rd_kafka_resp_err_t fatal = rd_kafka_fatal_error(producer_.get(), reason, sizeof reason)) {
    // The idempotent producer gave up on keeping order (e.g. a sequence gap): it cannot send again.
    std::string message = "kafka: the producer failed: " + RedactValues(reason, config_.properties);
    if (ClassifyKafkaError(fatal) == HandlerResult::Kind::kFatal) return HandlerResult::Fatal(std::move(message));
    CloseProducer(milliseconds(0));
    return HandlerResult::Retry(message + " (a new producer sends the batch again, and those after it)");
  }
  if (std::optional<HandlerResult> failed = FailedDelivery()) return *std::move(failed);
  if (client_refused_) return HandlerResult::Fatal(*client_refused_);
  const DeliveryTracker::Batch& oldest = tracker_.in_flight().front();
  if (steady_clock::now() - oldest.sent > config_.timeout + kReportGrace) {
    return HandlerResult::Retry("kafka: " + std::to_string(oldest.pending) + " of " +
                                std::to_string(oldest.messages()) + " records of a batch unconfirmed after " +
                                std::to_string((config_.timeout + kReportGrace).count()) + " ms");
  }
  return HandlerResult::Success();
}

std::optional<HandlerResult> KafkaSink::FailedDelivery() const {
  // The first record refused for good decides (retrying would not help); else the oldest failure.
  const DeliveryTracker::Batch* chosen = nullptr;
  for (const DeliveryTracker::Batch& batch : tracker_.in_flight()) {
    if (!batch.failure) continue;
    if (!chosen) chosen = &batch;
    if (batch.permanent_failure) {
      chosen = &batch;
      break;
    }
  }
  if (!chosen) return std::nullopt;
  const DeliveryTracker::Failure& failure = *chosen->failure;
  const std::string what =
      failure.record.change_id == 0 ? "a bootstrap row" : "change " + std::to_string(failure.record.change_id);
  std::string message = "kafka: delivery of " + what + " to topic " + rd_kafka_topic_name(failure.record.topic) +
                        " failed: " + rd_kafka_err2str(failure.error) + " (" + std::to_string(chosen->failures) +
                        " of " + std::to_string(chosen->messages()) + " records of its batch failed, " +
                        std::to_string(chosen->pending) + " unreported)";
  return chosen->permanent_failure ? HandlerResult::Fatal(std::move(message))
                                   : HandlerResult::Retry(std::move(message));
}

void KafkaSink::ForgetInFlight() {
  tracker_.ForgetAll();
  client_refused_.reset();
}

HandlerResult KafkaSink::ReadPosition(SinkPosition* position) {
  if (!config_.transactions) return ChangesHandler::ReadPosition(position);
  if (HandlerResult started = StartTransactions(); started.kind != HandlerResult::Kind::kSuccess) return started;
  *position = *stored_;
  return HandlerResult::Success();
}

HandlerResult KafkaSink::OnSchema(const WatchedSchema& schema) {
  log_epoch_ = schema.log_epoch;
  return HandlerResult::Success();
}

// The engine read the log to its end: the open transaction ends where a source transaction ended,
// and is committed at the next poll rather than at its linger, so that the change is not held back.
void KafkaSink::OnCaughtUp() { caught_up_ = in_transaction_; }

HandlerResult KafkaSink::OnSnapshotComplete(int64_t log_position) {
  if (!config_.transactions) return HandlerResult::Success();
  // REQUIRES (PipelinedHandler): nothing in flight, so no transaction is open.
  if (HandlerResult begun = BeginTransaction(); begun.kind != HandlerResult::Kind::kSuccess) return begun;
  transaction_position_.log_id = log_position;
  transaction_position_.snapshot = SinkPosition::Snapshot::kComplete;
  transaction_position_.log_epoch = log_epoch_;
  size_t committed = 0;
  return CommitTransaction(&committed);
}

std::optional<HandlerResult> KafkaSink::Fenced() const {
  char reason[512];
  if (!producer_ || !IsFenced(rd_kafka_fatal_error(producer_.get(), reason, sizeof reason))) return std::nullopt;
  return FencedResult();
}

HandlerResult KafkaSink::FencedResult() const {
  return HandlerResult::Fatal("kafka: fenced: another producer took transactional id " +
                              config_.transactions->transactional_id +
                              " (a second sqlite-cdc on this database and log?); this one stops");
}

HandlerResult KafkaSink::StartTransactions() {
  char reason[512];
  if (producer_) {
    if (const rd_kafka_resp_err_t fatal = rd_kafka_fatal_error(producer_.get(), reason, sizeof reason)) {
      // Never replaced: a new producer would fence the instance that fenced this one, and so on.
      if (IsFenced(fatal)) return FencedResult();
      spdlog::warn("kafka: the transactional producer failed ({}); starting a new one",
                   RedactValues(reason, config_.properties));
      const bool open = in_transaction_ || transaction_batches_ > 0;
      ReplaceProducer();
      if (open) {
        // The new producer's init_transactions aborts the open transaction: its batches were never
        // committed and must be sent again, not counted into the next transaction's commit.
        ForgetTransaction();
        return HandlerResult::Retry(std::string("kafka: the transactional producer failed with a transaction open (") +
                                    RedactValues(reason, config_.properties) + "); its batches are sent again");
      }
    }
  }
  if (!producer_) {
    if (Status status = OpenProducer(); !status.ok()) return HandlerResult::Fatal(status.message());
  }
  if (!transactions_ready_) {
    // Fences every earlier producer with this transactional id and settles its open transaction.
    KafkaError error(rd_kafka_init_transactions(producer_.get(), static_cast<int>(config_.timeout.count())));
    if (error) return TransactionFailure(error.get(), "starting transactions");
    transactions_ready_ = true;
    if (!position_topic_checked_) {
      EnsurePositionTopic(producer_.get(), config_.transactions->position_topic, config_.timeout);
      position_topic_checked_ = true;
    }
    stored_.reset();  // a new producer: what the one before committed last is read again
  }
  if (!stored_) {
    std::optional<SinkPosition> read;
    if (HandlerResult result = ReadStoredPosition(config_, config_.timeout, &read);
        result.kind != HandlerResult::Kind::kSuccess) {
      return result;
    }
    stored_ = read.value_or(SinkPosition{});
    stored_->kept = true;
    spdlog::info("kafka: the position topic holds {} for transactional id {}", PositionRecordValue(*stored_),
                 config_.transactions->transactional_id);
  }
  return HandlerResult::Success();
}

HandlerResult KafkaSink::BeginTransaction() {
  if (HandlerResult started = StartTransactions(); started.kind != HandlerResult::Kind::kSuccess) return started;
  if (in_transaction_) return HandlerResult::Success();
  if (KafkaError error(rd_kafka_begin_transaction(producer_.get())); error) {
    return TransactionFailure(error.get(), "beginning a transaction");
  }
  in_transaction_ = true;
  transaction_started_ = steady_clock::now();
  transaction_position_ = *stored_;
  return HandlerResult::Success();
}

HandlerResult KafkaSink::SendInTransaction(const Changes& batch) {
  if (HandlerResult started = StartTransactions(); started.kind != HandlerResult::Kind::kSuccess) {
    ForgetTransaction();
    return started;
  }
  // After a commit of unknown outcome the engine sends again what it did not see confirmed; what
  // the position shows was committed is confirmed as it is, in order (nothing is open before it).
  const bool stored = !in_transaction_ && !batch.empty() && !batch.front().bootstrap && stored_->log_id &&
                      batch.back().id <= *stored_->log_id;
  if (stored) {
    ++committed_unreported_;
    return HandlerResult::Success();
  }
  if (HandlerResult begun = BeginTransaction(); begun.kind != HandlerResult::Kind::kSuccess) {
    ForgetTransaction();
    return begun;
  }
  if (HandlerResult result = ProduceBatch(batch); result.kind != HandlerResult::Kind::kSuccess) {
    AbortTransaction();
    ForgetTransaction();
    return Fenced().value_or(std::move(result));
  }
  if (!batch.empty() && batch.front().bootstrap) {
    transaction_position_.snapshot = SinkPosition::Snapshot::kUnfinished;
  } else if (!batch.empty()) {
    transaction_position_.log_id = batch.back().id;
  }
  transaction_position_.log_epoch = log_epoch_;
  caught_up_ = false;  // a batch read after the engine caught up
  ++transaction_batches_;
  transaction_changes_ += batch.size();
  return HandlerResult::Success();
}

bool KafkaSink::ShouldCommit(bool flush) const {
  return in_transaction_ && (flush || caught_up_ || transaction_changes_ >= kMaxTransactionChanges ||
                             steady_clock::now() - transaction_started_ >= kTransactionLinger);
}

Confirmations KafkaSink::PollTransactions(milliseconds wait, bool flush) {
  Confirmations result;
  result.batches = std::exchange(committed_unreported_, 0);
  if (!producer_ || !in_transaction_) return result;
  const auto deadline = steady_clock::now() + wait;
  for (;;) {
    rd_kafka_poll(producer_.get(), 0);
    if (std::optional<HandlerResult> failed = FailedDelivery(); failed) {
      AbortTransaction();
      ForgetTransaction();
      result.failure = Fenced().value_or(*std::move(failed));
      return result;
    }
    if (ShouldCommit(flush)) {
      size_t committed = 0;
      result.failure = CommitTransaction(&committed);
      result.batches += committed;
      return result;
    }
    const auto now = steady_clock::now();
    if (result.batches > 0 || now >= deadline) return result;
    const auto until_commit = std::chrono::duration_cast<milliseconds>(transaction_started_ + kTransactionLinger - now);
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - now);
    rd_kafka_poll(producer_.get(),
                  static_cast<int>(std::max(milliseconds(1), std::min({left, until_commit, kPollSlice})).count()));
  }
}

HandlerResult KafkaSink::CommitTransaction(size_t* committed) {
  *committed = 0;
  const KafkaTransactions& transactions = *config_.transactions;
  const std::string value = PositionRecordValue(transaction_position_);
  const auto deadline = steady_clock::now() + config_.timeout;
  // The position is produced only once every record of the transaction is acknowledged. A broker
  // makes the transaction atomic anyway; a cluster without transaction semantics (librdkafka's mock,
  // which the tests run against) would otherwise keep a position whose records a kill cut off.
  rd_kafka_flush(producer_.get(), static_cast<int>(config_.timeout.count()));
  std::optional<HandlerResult> unacknowledged = FailedDelivery();
  if (!unacknowledged && rd_kafka_outq_len(producer_.get()) > 0) {
    unacknowledged =
        HandlerResult::Retry("kafka: the transaction's records were not acknowledged within --kafka-timeout");
  }
  if (unacknowledged) {
    AbortTransaction();
    ForgetTransaction();
    return Fenced().value_or(*std::move(unacknowledged));
  }
  for (;;) {
    rd_kafka_resp_err_t code =
        rd_kafka_producev(producer_.get(), RD_KAFKA_V_TOPIC(transactions.position_topic.c_str()),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                          RD_KAFKA_V_KEY(transactions.transactional_id.data(), transactions.transactional_id.size()),
                          RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()), RD_KAFKA_V_END);
    if (code == RD_KAFKA_RESP_ERR_NO_ERROR) break;
    if (code == RD_KAFKA_RESP_ERR__QUEUE_FULL && steady_clock::now() < deadline) {
      rd_kafka_poll(producer_.get(), static_cast<int>(kPollSlice.count()));
      continue;
    }
    AbortTransaction();
    ForgetTransaction();
    const std::string message = "kafka: cannot produce the position record to topic " + transactions.position_topic +
                                ": " + rd_kafka_err2str(code);
    return ClassifyKafkaError(code) == HandlerResult::Kind::kFatal ? HandlerResult::Fatal(message)
                                                                   : HandlerResult::Retry(message);
  }
  for (;;) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - steady_clock::now());
    KafkaError error(rd_kafka_commit_transaction(producer_.get(), static_cast<int>(std::max(left.count(), 1L))));
    if (!error) break;
    if (rd_kafka_error_is_retriable(error.get()) && steady_clock::now() < deadline) continue;
    // A record refused for good says more than the commit's "failed to deliver".
    std::optional<HandlerResult> refused = FailedDelivery();
    HandlerResult failure = TransactionFailure(error.get(), "committing a transaction");
    // Never answered, or failed in a way that left it open: the outcome is unknown. The next
    // producer's init_transactions settles it, and the position read after it says what was committed.
    if (failure.kind != HandlerResult::Kind::kFatal && (in_transaction_ || rd_kafka_error_is_retriable(error.get()))) {
      ReplaceProducer();
    }
    ForgetTransaction();
    if (refused && refused->kind == HandlerResult::Kind::kFatal && failure.kind != HandlerResult::Kind::kFatal) {
      return *refused;
    }
    return failure;
  }
  *committed = transaction_batches_;
  stored_ = transaction_position_;
  in_transaction_ = false;
  ForgetTransaction();
  return HandlerResult::Success();
}

HandlerResult KafkaSink::TransactionFailure(rd_kafka_error_t* error, const std::string& what) {
  const rd_kafka_resp_err_t code = rd_kafka_error_code(error);
  const std::string message =
      "kafka: " + what + " failed: " + RedactValues(rd_kafka_error_string(error), config_.properties);
  if (IsFenced(code)) return FencedResult();
  if (rd_kafka_error_is_fatal(error)) {
    if (ClassifyKafkaError(code) == HandlerResult::Kind::kFatal) return HandlerResult::Fatal(message);
    // The producer cannot go on (e.g. a sequence error). Its successor's init_transactions settles
    // what it left open; the position read then tells what was committed.
    ReplaceProducer();
    return HandlerResult::Retry(message + " (a new producer takes over)");
  }
  if (rd_kafka_error_txn_requires_abort(error)) {
    AbortTransaction();
    return HandlerResult::Retry(message + " (aborted; the batches are sent again)");
  }
  if (ClassifyKafkaError(code) == HandlerResult::Kind::kFatal) return HandlerResult::Fatal(message);
  return HandlerResult::Retry(message);
}

void KafkaSink::AbortTransaction() {
  if (!in_transaction_ || !producer_) return;
  in_transaction_ = false;
  KafkaError error(rd_kafka_abort_transaction(producer_.get(), static_cast<int>(config_.timeout.count())));
  if (error && !Fenced()) {
    // Not known to be aborted: the next producer's init_transactions aborts it.
    spdlog::warn("kafka: aborting a transaction failed ({}); a new producer settles it",
                 RedactValues(rd_kafka_error_string(error.get()), config_.properties));
    ReplaceProducer();
  }
}

void KafkaSink::ReplaceProducer() {
  if (producer_) rd_kafka_purge(producer_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  CloseProducer(milliseconds(0));
  in_transaction_ = false;
  stored_.reset();
}

void KafkaSink::ForgetTransaction() {
  caught_up_ = false;
  transaction_batches_ = 0;
  transaction_changes_ = 0;
  committed_unreported_ = 0;
  ForgetInFlight();
}

void KafkaSink::OnDelivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  static_cast<KafkaSink*>(opaque)->tracker_.OnReport(message->_private, message->err);
}

void KafkaSink::OnError(rd_kafka_t*, int error, const char* reason, void* opaque) {
  auto* sink = static_cast<KafkaSink*>(opaque);
  const std::string text = RedactValues(reason, sink->config_.properties);
  const auto code = static_cast<rd_kafka_resp_err_t>(error);
  // A refusal of the client (authentication, TLS) will not pass: Poll reports it for the batches in
  // flight. Connection trouble is expected to pass (librdkafka reconnects) and librdkafka's own log
  // already told it; only "all brokers down" is news. A fatal producer error is Poll's to report.
  if (ClassifyKafkaError(code) == HandlerResult::Kind::kFatal) {
    sink->client_refused_ = "kafka: " + text;
  } else if (code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
    spdlog::warn("kafka: {}", text);
  } else {
    spdlog::debug("kafka: {}", text);
  }
}

void KafkaSink::OnLog(const rd_kafka_t* producer, int level, const char* facility, const char* text) {
  const auto* sink = static_cast<const KafkaSink*>(rd_kafka_opaque(producer));
  // Syslog levels. librdkafka's errors are mostly passing ones (a refused connection); whether
  // one ends the run is the sink's decision, logged by the engine, so they are warnings here.
  const spdlog::level::level_enum mapped = level <= 4   ? spdlog::level::warn
                                           : level <= 6 ? spdlog::level::info
                                                        : spdlog::level::debug;
  spdlog::log(mapped, "kafka {}: {}", facility, RedactValues(text, sink->config_.properties));
}

}  // namespace sqlite_cdc::sinks
