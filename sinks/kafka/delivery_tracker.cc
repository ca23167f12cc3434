#include "sinks/kafka/delivery_tracker.h"

#include <algorithm>

#include "sinks/kafka/kafka_errors.h"

namespace sqlite_cdc::sinks {

void DeliveryTracker::StartBatch() { batches_.emplace_back().first_serial = next_serial_; }

void* DeliveryTracker::Track(Record record) {
  Batch& batch = batches_.back();
  batch.records.push_back(record);
  ++batch.pending;
  return reinterpret_cast<void*>(static_cast<uintptr_t>(next_serial_++));
}

void DeliveryTracker::Untrack() {
  Batch& batch = batches_.back();
  batch.records.pop_back();
  --batch.pending;
  --next_serial_;
}

void DeliveryTracker::OnReport(void* opaque, rd_kafka_resp_err_t error) {
  const uint64_t serial = reinterpret_cast<uintptr_t>(opaque);
  if (batches_.empty() || serial < batches_.front().first_serial || serial >= next_serial_) {
    return;  // of a batch confirmed (it had every report) or forgotten
  }
  // The batch with the last first_serial not above `serial`: serials are contiguous across batches.
  auto after = std::upper_bound(batches_.begin(), batches_.end(), serial,
                                [](uint64_t value, const Batch& batch) { return value < batch.first_serial; });
  Batch& batch = *std::prev(after);
  --batch.pending;
  if (error == RD_KAFKA_RESP_ERR_NO_ERROR) return;
  ++batch.failures;
  const bool permanent = ClassifyKafkaError(error) == HandlerResult::Kind::kFatal;
  if (!batch.failure || (permanent && !batch.permanent_failure)) {
    batch.failure = Failure{error, batch.records[serial - batch.first_serial]};
    batch.permanent_failure = permanent;
  }
}

size_t DeliveryTracker::TakeConfirmed() {
  size_t confirmed = 0;
  while (!batches_.empty() && batches_.front().pending == 0 && batches_.front().failures == 0) {
    batches_.pop_front();
    ++confirmed;
  }
  return confirmed;
}

}  // namespace sqlite_cdc::sinks
