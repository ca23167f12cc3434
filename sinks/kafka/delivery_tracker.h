#pragma once

#include <librdkafka/rdkafka.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace sqlite_cdc::sinks {

// Counts the delivery reports of the batch in flight, so that the batch succeeds only when every
// one of its messages was confirmed. Each message carries a serial number as its librdkafka
// opaque: reports of an earlier, abandoned attempt (messages still in librdkafka's queue when the
// sink stopped waiting) have a serial below the current batch's and are ignored, and no pointer
// into a finished batch is ever handed to librdkafka. Not thread-safe: reports are served by
// rd_kafka_poll on the thread that calls Handle.
class DeliveryTracker {
 public:
  struct Failure {
    rd_kafka_resp_err_t error;
    size_t change_index;  // which change of the batch the failed message carried
  };

  // Forgets the previous batch; its late reports will be ignored.
  void StartBatch();
  // Registers a message carrying the batch's change `change_index`; returns the opaque to pass
  // to librdkafka with it.
  void* Track(size_t change_index);
  // Takes back the last Track() when librdkafka refused the message outright.
  void Untrack();
  // A delivery report: `opaque` as given to Track(), `error` as librdkafka reported it.
  void OnReport(void* opaque, rd_kafka_resp_err_t error);

  size_t pending() const { return pending_; }
  size_t messages() const { return change_of_message_.size(); }
  size_t failures() const { return failures_; }
  // The batch's first failure that retrying cannot fix (ClassifyKafkaError), else its first failure.
  const std::optional<Failure>& failure() const { return failure_; }
  bool permanent_failure() const { return permanent_failure_; }

 private:
  uint64_t next_serial_ = 1;  // never 0: a null opaque would be ambiguous in a debugger
  uint64_t first_serial_ = 1;
  size_t pending_ = 0;
  size_t failures_ = 0;
  std::vector<size_t> change_of_message_;  // by serial - first_serial_
  std::optional<Failure> failure_;
  bool permanent_failure_ = false;
};

}  // namespace sqlite_cdc::sinks
