#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace sqlite_cdc {

// The clock and the sleeps the engine uses for its retry backoff, the grouping of deletions from the
// log, and the handling times it reports; an implementation may run them on simulated time (a test
// that checks a retry schedule without waiting for it). Waiting for the database to change (inotify
// and the poll timer) is always real time.
//
// Thread safety: one Env may serve several engines on several threads at once.
class Env {
 public:
  using Clock = std::chrono::steady_clock;

  virtual ~Env() = default;

  // The process's monotonic clock and real sleeps. Static storage: never delete it.
  static Env* Default();

  // A monotonic clock: only the differences between its readings mean anything.
  virtual Clock::time_point Now() = 0;

  // Blocks with `lock` (on `cv`'s mutex) released until `cv` is notified or `timeout` has passed on
  // this clock, then returns with `lock` held again. It may return early (spuriously): callers check
  // their condition and Now() and wait again. The engine notifies `cv` to cut a wait short when it
  // is stopped, so an implementation on simulated time that returns at once must still advance Now().
  virtual void TimedWait(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                         std::chrono::milliseconds timeout) = 0;
};

}  // namespace sqlite_cdc
