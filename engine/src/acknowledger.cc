#include "acknowledger.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "sqlite_cdc/engine_observer.h"

namespace sqlite_cdc::internal {

using std::chrono::milliseconds;

Acknowledger::Acknowledger(LogReader& reader, int64_t watermark, milliseconds interval, size_t max_rows,
                           EngineObserver* observer)
    : reader_(reader),
      interval_(interval),
      max_rows_(max_rows),
      observer_(observer),
      backoff_(milliseconds(50), milliseconds(5000), static_cast<uint64_t>(Clock::now().time_since_epoch().count())),
      delivered_(watermark),
      acknowledged_(watermark) {}

void Acknowledger::Delivered(int64_t last_id, size_t rows) {
  if (last_id <= delivered_) return;
  if (!pending()) last_flush_ = Clock::now();  // the interval counts from the first waiting change
  delivered_ = last_id;
  pending_rows_ += rows;
}

bool Acknowledger::MaybeFlush(bool force) {
  if (!pending()) return true;
  const Clock::time_point now = Clock::now();
  if (now < retry_at_) return false;
  if (!force && pending_rows_ < max_rows_ && now - last_flush_ < interval_) return true;
  try {
    reader_.Acknowledge(delivered_);
  } catch (DatabaseError& error) {
    if (!error.transient()) {
      error.AddContext("acknowledge log ids " + std::to_string(acknowledged_ + 1) + ".." + std::to_string(delivered_));
      throw;
    }
    ++failures_;
    const milliseconds delay = backoff_.Delay(failures_);
    retry_at_ = Clock::now() + delay;
    spdlog::warn("could not remove log ids {}..{} after delivery (attempt {}), retrying in {} ms: {}",
                 acknowledged_ + 1, delivered_, failures_, delay.count(), error.what());
    if (observer_) observer_->OnDatabaseRetry();
    return false;
  }
  if (failures_ > 0) {
    spdlog::info("removed log ids {}..{} after {} failed attempts", acknowledged_ + 1, delivered_, failures_);
    if (observer_) observer_->OnDatabaseRecovered();
  }
  failures_ = 0;
  acknowledged_ = delivered_;
  pending_rows_ = 0;
  last_flush_ = Clock::now();
  return true;
}

milliseconds Acknowledger::TimeUntilDue() const {
  if (!pending()) return milliseconds::max();
  const Clock::time_point due = std::max(last_flush_ + interval_, retry_at_);
  return std::max(milliseconds(0), std::chrono::ceil<milliseconds>(due - Clock::now()));
}

}  // namespace sqlite_cdc::internal
