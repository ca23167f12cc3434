#include "acknowledger.h"

#include <algorithm>

#include "sqlite_cdc/engine_observer.h"

namespace sqlite_cdc::internal {

using std::chrono::milliseconds;

Acknowledger::Acknowledger(LogReader& reader, int64_t watermark, milliseconds interval, size_t max_rows,
                           EngineObserver* observer, Env* env, InfoLog log)
    : reader_(reader),
      interval_(interval),
      max_rows_(max_rows),
      observer_(observer),
      env_(env),
      log_(log),
      backoff_(milliseconds(50), milliseconds(5000), static_cast<uint64_t>(env->Now().time_since_epoch().count())),
      delivered_(watermark),
      acknowledged_(watermark),
      last_flush_(env->Now()) {}

void Acknowledger::Delivered(int64_t last_id, size_t rows) {
  if (last_id <= delivered_) return;
  if (!pending()) last_flush_ = env_->Now();  // the interval counts from the first waiting change
  delivered_ = last_id;
  pending_rows_ += rows;
}

bool Acknowledger::MaybeFlush(bool force) {
  if (!pending()) return true;
  const Clock::time_point now = env_->Now();
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
    retry_at_ = env_->Now() + delay;
    log_.Warn("could not remove log ids {}..{} after delivery (attempt {}), retrying in {} ms: {}", acknowledged_ + 1,
              delivered_, failures_, delay.count(), error.what());
    if (observer_) observer_->OnDatabaseRetry();
    return false;
  }
  if (failures_ > 0) {
    log_.Info("removed log ids {}..{} after {} failed attempts", acknowledged_ + 1, delivered_, failures_);
    if (observer_) observer_->OnDatabaseRecovered();
  }
  failures_ = 0;
  acknowledged_ = delivered_;
  pending_rows_ = 0;
  last_flush_ = env_->Now();
  return true;
}

milliseconds Acknowledger::TimeUntilDue() const {
  if (!pending()) return milliseconds::max();
  const Clock::time_point due = std::max(last_flush_ + interval_, retry_at_);
  return std::max(milliseconds(0), std::chrono::ceil<milliseconds>(due - env_->Now()));
}

}  // namespace sqlite_cdc::internal
