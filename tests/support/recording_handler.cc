#include "support/recording_handler.h"

namespace sqlite_cdc::testing {

HandlerResult RecordingHandler::Handle(const Changes& batch) {
  std::lock_guard lock(mutex_);
  ++calls_;
  if (failures > 0) {
    --failures;
    return failure;
  }
  batches_.push_back(batch);
  events_.push_back("batch");
  received_ += static_cast<int64_t>(batch.size());
  return HandlerResult::Success();
}

HandlerResult RecordingHandler::OnSchema(const WatchedSchema& schema) {
  std::lock_guard lock(mutex_);
  events_.push_back("schema@" + std::to_string(schema.log_position));
  schemas_.push_back(schema);
  return HandlerResult::Success();
}

HandlerResult RecordingHandler::OnSnapshotComplete(int64_t log_position) {
  std::lock_guard lock(mutex_);
  events_.push_back("snapshot@" + std::to_string(log_position));
  return HandlerResult::Success();
}

std::vector<Changes> RecordingHandler::batches() const {
  std::lock_guard lock(mutex_);
  return batches_;
}

Changes RecordingHandler::all() const {
  Changes out;
  for (const Changes& batch : batches()) out.insert(out.end(), batch.begin(), batch.end());
  return out;
}

int64_t RecordingHandler::received() const {
  std::lock_guard lock(mutex_);
  return received_;
}

int RecordingHandler::calls() const {
  std::lock_guard lock(mutex_);
  return calls_;
}

std::vector<std::string> RecordingHandler::events() const {
  std::lock_guard lock(mutex_);
  return events_;
}

std::vector<WatchedSchema> RecordingHandler::schemas() const {
  std::lock_guard lock(mutex_);
  return schemas_;
}

}  // namespace sqlite_cdc::testing
