#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "info_log.h"
#include "sqlite_cdc/env.h"

namespace sqlite_cdc::internal {

// Wakes the engine when the database may have changed: inotify on the database's folder (the db,
// -wal and -journal files) and a poll timer. A wake is never lost: events that arrive while the
// engine drains stay queued in the inotify descriptor and make the next Wait return at once.
//
// SQLite makes a commit visible to readers (in the -shm index, which inotify cannot see) just after
// its last write to the -wal file, and with synchronous=FULL only after an fsync. So after every
// file event the watcher also wakes 1, 2, 4 ... 64 ms later, to catch a commit that was not yet
// visible when the event woke us.
//
// Waiting for a change is real time; Sleep runs on `env`'s clock, so a simulated one makes the
// engine's backoff free.
class Watcher {
 public:
  // `env` is not owned and must outlive the watcher.
  Watcher(const std::string& db_path, std::chrono::milliseconds poll_interval, bool use_inotify, Env* env, InfoLog log);
  ~Watcher();
  Watcher(const Watcher&) = delete;
  Watcher& operator=(const Watcher&) = delete;

  enum class Wake {
    kLook,      // the log may have changed: a file event, a settle re-read or the poll timer
    kDeadline,  // `at_most` passed first; nothing says the log changed
    kStopped,
  };
  // Blocks until a wake reason, `at_most` has passed, or Stop().
  Wake Wait(std::chrono::milliseconds at_most = std::chrono::milliseconds::max());
  // Sleeps for `delay` on the env's clock unless stopped first; returns false once stopped.
  bool Sleep(std::chrono::milliseconds delay);
  // Thread-safe; also async-signal-safe enough to be called from a signal-handling thread.
  void Stop();
  bool stopped() const;
  // False when inotify was asked for but is unavailable (the watcher then polls).
  bool inotify_active() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sqlite_cdc::internal
