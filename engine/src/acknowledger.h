#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

#include "backoff.h"
#include "info_log.h"
#include "log_reader.h"
#include "sqlite_cdc/env.h"

namespace sqlite_cdc {
class EngineObserver;
}

namespace sqlite_cdc::internal {

// Removes delivered changes from the log in few short write transactions. Each one takes the
// database's write lock, which the application's next commit then waits for (SQLite's busy handler
// sleeps a millisecond or more), so deletions are grouped: at most every `interval`, or once
// `max_rows` are waiting, and at once when asked to flush.
//
// A busy, locked or full database is transient: the deletion waits and is tried again later with
// backoff (the changes stay delivered, so nothing is handed over twice while the engine runs).
// Any other database error is thrown. Time is the env's.
class Acknowledger {
 public:
  using Clock = Env::Clock;

  // `watermark`: what the log had acknowledged when the engine started. `env` is not owned and must
  // outlive the acknowledger.
  Acknowledger(LogReader& reader, int64_t watermark, std::chrono::milliseconds interval, size_t max_rows,
               EngineObserver* observer, Env* env, InfoLog log);

  // The handler accepted every change up to `last_id` (`rows` of them since the last call).
  void Delivered(int64_t last_id, size_t rows);

  // Deletes what was delivered if it is due (or `force`), unless a transient fault asked to wait.
  // Returns false when a transient fault left something pending.
  bool MaybeFlush(bool force);

  // How long until a pending deletion is due; max() when nothing is pending.
  std::chrono::milliseconds TimeUntilDue() const;

  bool pending() const { return delivered_ > acknowledged_; }

 private:
  LogReader& reader_;
  std::chrono::milliseconds interval_;
  size_t max_rows_;
  EngineObserver* observer_;
  Env* env_;
  InfoLog log_;
  Backoff backoff_;
  int64_t delivered_ = 0;
  int64_t acknowledged_ = 0;
  size_t pending_rows_ = 0;
  Clock::time_point last_flush_;
  Clock::time_point retry_at_{};
  int failures_ = 0;
};

}  // namespace sqlite_cdc::internal
