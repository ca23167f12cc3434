#include "delivery_tally.h"

namespace sqlite_cdc::cli {
namespace {

std::string Count(int64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

void DeliveryTally::OnBatchDelivered(const Changes& batch, std::chrono::nanoseconds handling) {
  for (const Change& change : batch) {
    if (change.bootstrap) {
      ++snapshot_rows_;
      continue;
    }
    if (changes_++ == 0) first_id_ = change.id;
    last_id_ = change.id;
  }
  if (next_) next_->OnBatchDelivered(batch, handling);
}

void DeliveryTally::OnInFlight(size_t batches, size_t changes) {
  if (next_) next_->OnInFlight(batches, changes);
}
void DeliveryTally::OnHandlerFailure(bool will_retry) {
  if (next_) next_->OnHandlerFailure(will_retry);
}
void DeliveryTally::OnDatabaseRetry() {
  if (next_) next_->OnDatabaseRetry();
}
void DeliveryTally::OnDatabaseRecovered() {
  if (next_) next_->OnDatabaseRecovered();
}

std::string DeliveryTally::Summary(bool snapshot, bool changes) const {
  std::string log = Count(changes_, "change", "changes");
  if (changes_ > 0) log += " (log ids " + std::to_string(first_id_) + " to " + std::to_string(last_id_) + ")";
  const std::string rows = "a snapshot of " + Count(snapshot_rows_, "row", "rows");
  if (snapshot && changes) return rows + " and " + log;
  return snapshot ? rows : log;
}

}  // namespace sqlite_cdc::cli
