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

// Above the catch-up bound, time spent delivering counts toward the deletions' half, up to this: the
// deletions keep up with a large batch without holding the lock long back to back.
constexpr milliseconds kCatchUpCredit(4);

// However long a deletion held the lock (a slow disk), the next waits at most this.
constexpr milliseconds kMaxPause(1000);

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

Acknowledger::Clock::time_point Acknowledger::DueAt(bool force) const {
  const Clock::time_point grouped =
      force || pending_rows_ >= pacing_.max_rows ? waiting_since_ : waiting_since_ + pacing_.interval;
  const Clock::time_point paced = force ? std::min(resume_at_, forced_resume_at_) : resume_at_;
  return std::max({grouped, retry_at_, paced - kPacingSlack});
}

void Acknowledger::Delivered(int64_t last_id, size_t rows) {
  if (last_id <= delivered_) return;
  if (!pending()) waiting_since_ = env_->Now();  // the interval counts from the first waiting change
  delivered_ = last_id;
  pending_rows_ += rows;
}

bool Acknowledger::MaybeFlush(bool force) {
  // As many deletions as the pacing allows now: unpaced, everything delivered.
  while (pending() && env_->Now() >= DueAt(force)) {
    if (!DeleteOnce(force)) break;
  }
  return !pending();
}

void Acknowledger::FlushBeforeExit() {
  std::mutex mutex;
  std::condition_variable never_notified;
  std::unique_lock lock(mutex);
  while (pending()) {
    while (env_->Now() < DueAt(/*force=*/true)) env_->TimedWait(never_notified, lock, TimeUntilDue(/*force=*/true));
    if (!DeleteOnce(/*force=*/true)) return;
  }
}

bool Acknowledger::DeleteOnce(bool force) {
  Clock::time_point start = env_->Now();
  int64_t up_to = acknowledged_;
  try {
    // The lock is held from when the wait for it ended: that wait is not the engine's share.
    up_to = reader_.Acknowledge(acknowledged_, delivered_, pacing_.max_rows, [&] { start = env_->Now(); });
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
  // Each deletion moves the next one's earliest start by its hold over the share, counted from its
  // own start or the previous earliest start if later: over any stretch of deletions the lock was
  // held at most the share of the time, give or take the slack (and the catch-up credit).
  const Clock::duration held = end - start;
  const auto pause = [&](double share) {
    return std::min<Clock::duration>(std::chrono::duration_cast<Clock::duration>(held / share), kMaxPause);
  };
  const bool catching_up = force || delivered_ - acknowledged_ > pacing_.catch_up_ids;
  const double half = std::max(0.5, pacing_.lock_share);
  forced_resume_at_ = std::max(forced_resume_at_, start - kCatchUpCredit) + pause(half);
  resume_at_ = catching_up ? forced_resume_at_ : std::max(resume_at_, start) + pause(pacing_.lock_share);
  return true;
}

milliseconds Acknowledger::TimeUntilDue(bool force) const {
  if (!pending()) return milliseconds::max();
  return std::max(milliseconds(0), std::chrono::ceil<milliseconds>(DueAt(force) - env_->Now()));
}

}  // namespace sqlite_cdc::internal
