#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "sqlite_cdc/change.h"
#include "sqlite_cdc/stream_snapshot.h"
#include "sqlite_cdc/watched_schema.h"

namespace sqlite_cdc {

// What a handler says about one batch. The engine owns retries: kRetry is retried with backoff
// up to the configured bounds, kFatal stops the engine at once. Either way the batch stays in the log.
struct HandlerResult {
  enum class Kind { kSuccess, kRetry, kFatal };
  Kind kind = Kind::kSuccess;
  std::string message;  // for logs; must not hold secrets
  // For kRetry: the receiver asked not to be called again before this (e.g. HTTP Retry-After). The
  // engine waits at least this long, but never longer than its maximum backoff.
  std::chrono::milliseconds retry_after{0};

  static HandlerResult Success() { return {}; }
  static HandlerResult Retry(std::string message) { return {Kind::kRetry, std::move(message)}; }
  static HandlerResult RetryAfter(std::string message, std::chrono::milliseconds after) {
    return {Kind::kRetry, std::move(message), after};
  }
  static HandlerResult Fatal(std::string message) { return {Kind::kFatal, std::move(message)}; }
};

// Where a sink that stores the log position atomically with its data stands (Kafka transactions, a
// replica database). Such a sink is exactly once: the engine asks it at the start of each delivery
// call and delivers only what follows, even when the log still holds what the sink has.
struct SinkPosition {
  enum class Snapshot {
    kNone,        // no bootstrap snapshot was ever completed into it
    kUnfinished,  // a bootstrap was cut short: it holds part of a snapshot, so it is no prefix of
                  // the source until a bootstrap completes
    kComplete,    // it holds a complete snapshot, and every change after it up to log_id
  };
  bool kept = false;              // false: an at-least-once sink; the rest is meaningless
  std::optional<int64_t> log_id;  // the last log id stored; nullopt when no change was stored yet
  Snapshot snapshot = Snapshot::kNone;
  // WatchedSchema::log_epoch of the log `log_id` belongs to; empty when the sink does not know. A
  // position of another log is refused: its ids say nothing about this one.
  std::string log_epoch;
};

// Receives batches one at a time, in log order, from one engine thread. Success means the batch has
// been durably handed on and may leave the log. A batch is delivered again (same ids) after a
// failure or a crash before the engine deleted it: handlers must tolerate duplicates.
//
// The other calls are for handlers that keep an archive (the S3 sink); by default they do nothing.
// They are retried like batches, and a batch never arrives before a failed call succeeded.
class ChangesHandler {
 public:
  virtual ~ChangesHandler() = default;
  virtual HandlerResult Handle(const Changes& batch) = 0;

  // The watched tables' definitions: before the first batch of a run, and again before the next
  // batch whenever the database's schema changed (PRAGMA schema_version moved).
  virtual HandlerResult OnSchema(const WatchedSchema& /*schema*/) { return HandlerResult::Success(); }
  // Every bootstrap batch has been accepted; the snapshot reflects the log up to `log_position`.
  // A sink that keeps a position stores `log_position` as its position with the end of the snapshot.
  virtual HandlerResult OnSnapshotComplete(int64_t /*log_position*/) { return HandlerResult::Success(); }

  // Where the sink stands, asked before anything is delivered by each engine call (retried like
  // batches). A sink that keeps a position stores with every batch the id of its last change, in the
  // same durable step as the batch. By default the sink keeps none: at least once.
  virtual HandlerResult ReadPosition(SinkPosition* position) {
    *position = SinkPosition{};
    return HandlerResult::Success();
  }

  // Snapshots while streaming, for a handler that keeps an archive on a schedule of its own (the S3
  // sink's --s3-snapshot-interval). While the engine streams (RunCdc, and BootstrapThenCdc after its
  // bootstrap), it asks SnapshotWanted() between batches, at least every poll_interval. On true it
  // reads a StreamSnapshot of the watched tables, in one read transaction on its own thread (the
  // stream waits for that read, and for nothing else), and hands it over with TakeSnapshot, which
  // must return at once: the handler stores it in the background, while batches go on. A snapshot
  // the engine could not read (the database stayed busy) is logged and asked for again later. The
  // snapshot's rows are not batches: they never leave or enter the log. By default none is wanted.
  virtual bool SnapshotWanted() { return false; }
  virtual void TakeSnapshot(std::unique_ptr<StreamSnapshot> /*snapshot*/) {}
};

}  // namespace sqlite_cdc
