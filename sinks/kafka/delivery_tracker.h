#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

namespace sqlite_cdc::sinks {

// Counts the delivery reports of the batches in flight, in the order they were sent, so that a
// batch is confirmed only when every one of its messages was, and only after every batch before it.
// Each message carries a serial number as its librdkafka opaque, increasing across batches: a
// report whose serial lies below the oldest batch still tracked belongs to a batch already
// confirmed or forgotten and is ignored, and no pointer into a batch is ever handed to librdkafka.
// Not thread-safe: reports are served by rd_kafka_poll on the thread that sends.
class DeliveryTracker {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // What a message carries, kept to name it when it fails (the batch itself is the engine's).
  struct Record {
    int64_t change_id = 0;              // 0 for a bootstrap row
    rd_kafka_topic_t* topic = nullptr;  // the sink's handle, alive while the batch is tracked
  };
  struct Failure {
    rd_kafka_resp_err_t error;
    Record record;
  };

  // One batch in flight.
  struct Batch {
    uint64_t first_serial = 0;
    TimePoint sent;  // when its last record was queued
    size_t pending = 0;
    size_t failures = 0;
    std::vector<Record> records;  // by serial - first_serial
    // The batch's first failure that retrying cannot fix (ClassifyKafkaError), else its first failure.
    std::optional<Failure> failure;
    bool permanent_failure = false;

    size_t messages() const { return records.size(); }
  };

  // Opens the next batch; Track() adds messages to it.
  void StartBatch();
  // Every message of the newest batch is queued, at `sent`.
  void EndBatch(TimePoint sent) { batches_.back().sent = sent; }
  // Registers a message of the newest batch; returns the opaque to pass to librdkafka with it.
  // REQUIRES: StartBatch() was called.
  void* Track(Record record);
  // Takes back the last Track() when librdkafka refused the message outright.
  void Untrack();
  // A delivery report: `opaque` as given to Track(), `error` as librdkafka reported it.
  void OnReport(void* opaque, rd_kafka_resp_err_t error);

  // Drops the oldest batches whose messages all succeeded, up to the first that has not; returns
  // how many.
  size_t TakeConfirmed();
  // Forgets every batch in flight: their late reports are ignored from now on.
  void ForgetAll() { batches_.clear(); }

  bool empty() const { return batches_.empty(); }
  size_t batches() const { return batches_.size(); }
  // Oldest first. What TakeConfirmed() left is never fully succeeded at its front.
  const std::deque<Batch>& in_flight() const { return batches_; }

 private:
  uint64_t next_serial_ = 1;  // never 0: a null opaque would be ambiguous in a debugger
  std::deque<Batch> batches_;
};

}  // namespace sqlite_cdc::sinks
