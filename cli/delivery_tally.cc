#include "delivery_tally.h"

namespace sqlite_cdc::cli {
namespace {

std::string Count(int64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

HandlerResult DeliveryTally::Handle(const Changes& batch) {
  HandlerResult result = output_.Handle(batch);
  if (result.kind != HandlerResult::Kind::kSuccess) return result;
  for (const Change& change : batch) {
    if (change.bootstrap) {
      ++snapshot_rows_;
      continue;
    }
    if (changes_++ == 0) first_id_ = change.id;
    last_id_ = change.id;
  }
  return result;
}

HandlerResult DeliveryTally::OnSnapshotComplete(int64_t log_position) {
  HandlerResult result = output_.OnSnapshotComplete(log_position);
  if (result.kind == HandlerResult::Kind::kSuccess) snapshot_complete_ = true;
  return result;
}

std::string DeliveryTally::Summary(bool snapshot, bool changes) const {
  std::string log = Count(changes_, "change", "changes");
  if (changes_ > 0) log += " (log ids " + std::to_string(first_id_) + " to " + std::to_string(last_id_) + ")";
  const std::string rows = "a snapshot of " + Count(snapshot_rows_, "row", "rows");
  if (snapshot && changes) return rows + " and " + log;
  return snapshot ? rows : log;
}

}  // namespace sqlite_cdc::cli
