#include "sinks/kafka/delivery_tracker.h"

#include "sinks/kafka/kafka_errors.h"

namespace sqlite_cdc::sinks {

void DeliveryTracker::StartBatch() {
  first_serial_ = next_serial_;
  pending_ = 0;
  failures_ = 0;
  change_of_message_.clear();
  failure_.reset();
  permanent_failure_ = false;
}

void* DeliveryTracker::Track(size_t change_index) {
  change_of_message_.push_back(change_index);
  ++pending_;
  return reinterpret_cast<void*>(static_cast<uintptr_t>(next_serial_++));
}

void DeliveryTracker::Untrack() {
  change_of_message_.pop_back();
  --pending_;
  --next_serial_;
}

void DeliveryTracker::OnReport(void* opaque, rd_kafka_resp_err_t error) {
  const uint64_t serial = reinterpret_cast<uintptr_t>(opaque);
  if (serial < first_serial_ || serial >= next_serial_) return;  // from an abandoned attempt
  --pending_;
  if (error == RD_KAFKA_RESP_ERR_NO_ERROR) return;
  ++failures_;
  const bool permanent = ClassifyKafkaError(error) == HandlerResult::Kind::kFatal;
  if (!failure_ || (permanent && !permanent_failure_)) {
    failure_ = Failure{error, change_of_message_[serial - first_serial_]};
    permanent_failure_ = permanent;
  }
}

}  // namespace sqlite_cdc::sinks
