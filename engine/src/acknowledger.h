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

// How delivered changes leave the log: EngineOptions' ack_* members (their defaults and what they
// mean for users are there).
struct DeletionPacing {
  // A delivered change waits at most this long before a deletion starts (unless paced below).
  std::chrono::milliseconds interval;
  // Changes per write transaction: few enough to hold the write lock briefly, and many enough that
  // a transaction's fixed cost is spread (SQLite deletes fewest microseconds a row at about 1,000;
  // at 10,000 a transaction outgrows the page cache and each row costs several times more).
  size_t max_rows;
  // Between two deletions the lock is left free long enough that the engine holds it at most this
  // share of the time, so that an application's commit seldom finds it taken...
  double lock_share;
  // ...unless more than this many ids are delivered and waiting: then, and when everything is to
  // go at once (a drain's end, a stop), half the time, so that the log cannot outgrow its deletion.
  int64_t catch_up_ids;
};

// Removes delivered changes from the log in short write transactions. Each one takes the database's
// write lock, which an application's commit then waits for (SQLite's busy handler sleeps a
// millisecond or more), so deletions are grouped (at most every `interval`, or once `max_rows` are
// waiting), bounded (`max_rows` a transaction) and paced (`lock_share`).
//
// A busy, locked or full database is transient: the deletion waits and is tried again later with
// backoff (the changes stay delivered, so nothing is handed over twice while the engine runs).
// Any other database error is thrown. Time is the env's.
class Acknowledger {
 public:
  using Clock = Env::Clock;

  // `watermark`: what the log had acknowledged when the engine started. `env` is not owned and must
  // outlive the acknowledger.
  Acknowledger(LogReader& reader, int64_t watermark, const DeletionPacing& pacing, EngineObserver* observer, Env* env,
               InfoLog log);

  // The handler accepted every change up to `last_id` (`rows` of them since the last call).
  void Delivered(int64_t last_id, size_t rows);

  // Runs the deletions that are due, as many as the pacing allows now (`force`: at half the time,
  // even if not due yet), unless a transient fault asked to wait. Returns false while something
  // delivered is still in the log.
  bool MaybeFlush(bool force);

  // Before the engine returns: deletes everything delivered, paced as a forced flush, with one
  // attempt for each deletion; after a fault the rest stays and is delivered again at the next start.
  void FlushBeforeExit();

  // How long until a pending deletion is due (`force`: as MaybeFlush(true) takes it); max() when
  // nothing is pending.
  std::chrono::milliseconds TimeUntilDue(bool force = false) const;

  bool pending() const { return delivered_ > acknowledged_; }

 private:
  // One write transaction; false after a transient fault (logged, backoff set). `force` paces it
  // as a flush of everything.
  bool DeleteOnce(bool force);
  // When the next deletion may start: grouped (the interval, unless `force` or max_rows wait), after
  // any backoff, and paced (less the slack; `force` at half the time).
  Clock::time_point DueAt(bool force) const;

  LogReader& reader_;
  DeletionPacing pacing_;
  EngineObserver* observer_;
  Env* env_;
  InfoLog log_;
  Backoff backoff_;
  int64_t delivered_ = 0;
  int64_t acknowledged_ = 0;
  size_t pending_rows_ = 0;
  Clock::time_point waiting_since_;       // when the oldest change still waiting was delivered, about
  Clock::time_point resume_at_{};         // the pacing: no deletion starts before (less the slack)
  Clock::time_point forced_resume_at_{};  // the same at half the time (a forced flush, catching up)
  Clock::time_point retry_at_{};
  int failures_ = 0;
};

}  // namespace sqlite_cdc::internal
