#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "sinks/kafka/delivery_tracker.h"
#include "sinks/kafka/kafka_handles.h"
#include "sinks/kafka/kafka_sink_config.h"
#include "sqlite_cdc/pipelined_handler.h"

namespace sqlite_cdc::sinks {

// `--output kafka://...`: one record per change, keyed by the change's `key` JSON, on an
// idempotent librdkafka producer with acks=all, so that one row's changes land in one partition
// in log order. Pipelined: Send queues every record of a batch at once and returns; Poll serves
// delivery reports and confirms, oldest first, the batches whose records all have a successful one.
//
// Failures: a record refused for good (ClassifyKafkaError), or a client the cluster does not let
// in, is kFatal; anything else, including a batch whose reports are still missing --kafka-timeout
// (plus a short grace for librdkafka's once-a-second timeout scan) after it was sent, is kRetry. On
// either, every unconfirmed batch is forgotten; after kRetry the engine sends them all again from
// the first: records confirmed by the failed attempt are then in Kafka twice, which the
// at-least-once contract allows; per key, the last copy of each change still comes in log order
// (see Send in the .cc).
//
// --exactly-once (config.transactions): a transactional producer. The batches sent go into one open
// transaction together with a record of the position they reach in the position topic; Poll commits
// it when the engine flushes or caught up with the log (OnCaughtUp: a source transaction ended
// there), when it holds kMaxTransactionChanges changes, or when it has been open
// kTransactionLinger, and confirms its batches only once the commit succeeded. ReadPosition reads that
// record (read_committed) after init_transactions fenced any earlier instance with the same
// transactional id and aborted its open transaction. Failures: fenced (another instance took the
// transactional id) is kFatal; an abortable error aborts and is kRetry; a commit whose outcome is not
// known (a fatal producer error, a commit that never answered) replaces the producer, whose
// init_transactions settles the old transaction, and reads the position again: batches it already
// holds are then confirmed without being produced again.
//
// Lifetime: librdkafka's callbacks point at this object, which therefore neither copies nor moves.
// The destructor waits up to min(--kafka-timeout, 10 s) for records still in flight.
class KafkaSink : public PipelinedHandler {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  // Creates the producer (no network yet). Fails with kInvalidArgument when librdkafka refuses a
  // property, naming it but never its value.
  static Status Create(KafkaSinkConfig config, std::unique_ptr<KafkaSink>* sink,
                       Clock now = std::chrono::system_clock::now);
  KafkaSink(const KafkaSink&) = delete;
  KafkaSink& operator=(const KafkaSink&) = delete;
  ~KafkaSink() override;

  HandlerResult Send(const Changes& batch) override;
  Confirmations Poll(std::chrono::milliseconds wait, bool flush) override;
  HandlerResult ReadPosition(SinkPosition* position) override;
  HandlerResult OnSnapshotComplete(int64_t log_position) override;
  HandlerResult OnSchema(const WatchedSchema& schema) override;
  void OnCaughtUp() override;

 private:
  KafkaSink(KafkaSinkConfig config, Clock now);

  Status OpenProducer();
  // Flushes for at most `bound`, then drops what is left, the topics and the producer.
  void CloseProducer(std::chrono::milliseconds bound);
  // The handle of the topic `table`'s changes go to, made on first use; nullptr and `problem` set
  // when the name is not one Kafka allows.
  rd_kafka_topic_t* TopicFor(const std::string& table, std::string* problem);
  // Queues one record (a null `value` makes a tombstone), waiting for room in librdkafka's queue
  // until `deadline`.
  HandlerResult Produce(rd_kafka_topic_t* topic, const Change& change, const std::string* value,
                        std::chrono::steady_clock::time_point deadline);
  // Queues every record of `batch` as the newest batch in flight; the caller forgets it on failure.
  HandlerResult ProduceBatch(const Changes& batch);
  // Why the batches in flight failed, or kSuccess while none did (yet). Closes a producer that
  // failed for good but can be replaced.
  HandlerResult Failure();
  // The failure of a record of a batch in flight, if one was reported.
  std::optional<HandlerResult> FailedDelivery() const;
  // After a failure: every batch in flight is forgotten; the engine sends them again.
  void ForgetInFlight();

  // --exactly-once.
  HandlerResult SendInTransaction(const Changes& batch);
  Confirmations PollTransactions(std::chrono::milliseconds wait, bool flush);
  // A producer whose transactions are initialised, and the stored position known.
  HandlerResult StartTransactions();
  HandlerResult BeginTransaction();
  // Produces the position record and commits; confirms the open transaction's batches on success.
  HandlerResult CommitTransaction(size_t* committed);
  // Why `error` (of `what`) failed the open transaction, after leaving the producer fit to retry.
  HandlerResult TransactionFailure(rd_kafka_error_t* error, const std::string& what);
  // Drops the producer after an unknown outcome: the next one settles it and the position is read again.
  void ReplaceProducer();
  // Aborts the open transaction; replaces a producer that cannot, unless it was fenced.
  void AbortTransaction();
  // kFatal when another producer took the transactional id; a fenced producer is never replaced.
  std::optional<HandlerResult> Fenced() const;
  HandlerResult FencedResult() const;
  void ForgetTransaction();
  bool ShouldCommit(bool flush) const;

  static void OnDelivery(rd_kafka_t* producer, const rd_kafka_message_t* message, void* opaque);
  static void OnError(rd_kafka_t* producer, int error, const char* reason, void* opaque);
  static void OnLog(const rd_kafka_t* producer, int level, const char* facility, const char* text);

  // Declared in destruction order's reverse: the producer goes before what its callbacks use.
  const KafkaSinkConfig config_;
  const Clock now_;
  DeliveryTracker tracker_;
  std::optional<std::string> client_refused_;  // an error_cb error that retrying cannot fix, in this window
  KafkaHandle producer_;
  std::unordered_map<std::string, KafkaTopic> topics_;  // by table name; released before the producer
  std::string value_;  // reused across records: the hot path allocates little in steady state

  // --exactly-once: the state of the transactions on producer_.
  bool transactions_ready_ = false;  // init_transactions succeeded on producer_
  bool position_topic_checked_ = false;
  std::optional<SinkPosition> stored_;  // the last committed position; unknown until read
  bool in_transaction_ = false;
  size_t transaction_batches_ = 0;
  size_t transaction_changes_ = 0;
  std::chrono::steady_clock::time_point transaction_started_;
  SinkPosition transaction_position_;  // what the open transaction's position record says
  std::string log_epoch_;              // of the log announced last, stored with each position
  bool caught_up_ = false;             // the open transaction ends where a source transaction ended
  size_t committed_unreported_ = 0;    // batches known to be stored that Poll has not reported yet
};

}  // namespace sqlite_cdc::sinks
