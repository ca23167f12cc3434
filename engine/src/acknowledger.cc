#include "acknowledger.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>

#include "sqlite_cdc/engine_observer.h"

namespace sqlite_cdc::internal {

using std::chrono::milliseconds;

namespace {

// A deletion may start this much before the pacing's time, so that the waits between deletions of
// less than a millisecond (every wait is whole milliseconds) do not stretch into one each.
constexpr milliseconds kPacingSlack(1);

}  // namespace

Acknowledger::Acknowledger(LogReader& reader, int64_t watermark, const DeletionPacing& pacing, EngineObserver* observer,
                           Env* env, InfoLog log)
    : reader_(reader),
      pacing_(pacing),
      observer_(observer),
      env_(env),
      log_(log),
      backoff_(milliseconds(50), milliseconds(5000), static_cast<uint64_t>(env->Now().time_since_epoch().count())),
      delivered_(watermark),
      acknowledged_(watermark),
      waiting_since_(env->Now()) {
  pacing_.max_rows = std::max<size_t>(1, pacing_.max_rows);
  pacing_.lock_share = std::clamp(pacing_.lock_share, 0.001, 1.0);
}

void Acknowledger::Delivered(int64_t last_id, size_t rows) {
  if (last_id <= delivered_) return;
  if (!pending()) waiting_since_ = env_->Now();  // the interval counts from the first waiting change
  delivered_ = last_id;
  pending_rows_ += rows;
}

bool Acknowledger::MaybeFlush(bool force) {
  if (!pending()) return true;
  const Clock::time_point now = env_->Now();
  if (now < retry_at_ || now + kPacingSlack < resume_at_) return false;
  if (!force && pending_rows_ < pacing_.max_rows && now - waiting_since_ < pacing_.interval) return false;
  DeleteOnce(force);
  return !pending();
}

void Acknowledger::FlushBeforeExit() {
  std::mutex mutex;
  std::condition_variable never_notified;
  std::unique_lock lock(mutex);
  while (pending()) {
    for (Clock::time_point now = env_->Now(); now + kPacingSlack < resume_at_; now = env_->Now()) {
      env_->TimedWait(never_notified, lock, std::chrono::ceil<milliseconds>(resume_at_ - kPacingSlack - now));
    }
    if (!DeleteOnce(/*force=*/true)) return;
  }
}

bool Acknowledger::DeleteOnce(bool force) {
  const Clock::time_point start = env_->Now();
  int64_t up_to = acknowledged_;
  try {
    up_to = reader_.Acknowledge(acknowledged_, delivered_, pacing_.max_rows);
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
  const Clock::time_point end = env_->Now();
  if (failures_ > 0) {
    log_.Info("removed log ids {}..{} after {} failed attempts", acknowledged_ + 1, up_to, failures_);
    if (observer_) observer_->OnDatabaseRecovered();
  }
  failures_ = 0;
  acknowledged_ = up_to;
  pending_rows_ = pending() ? pending_rows_ - std::min(pending_rows_, pacing_.max_rows) : 0;
  const bool catching_up = force || delivered_ - acknowledged_ > pacing_.catch_up_ids;
  const double share = catching_up ? std::max(0.5, pacing_.lock_share) : pacing_.lock_share;
  // Each deletion moves the next one's earliest start by its hold over the share, counted from the
  // earlier of that start and its own: over any stretch of deletions the lock was held at most the
  // share of the time, give or take the slack.
  resume_at_ = std::max(resume_at_, start) + std::chrono::duration_cast<Clock::duration>((end - start) / share);
  return true;
}

milliseconds Acknowledger::TimeUntilDue(bool force) const {
  if (!pending()) return milliseconds::max();
  Clock::time_point due =
      force || pending_rows_ >= pacing_.max_rows ? waiting_since_ : waiting_since_ + pacing_.interval;
  due = std::max({due, retry_at_, resume_at_ - kPacingSlack});
  return std::max(milliseconds(0), std::chrono::ceil<milliseconds>(due - env_->Now()));
}

}  // namespace sqlite_cdc::internal
