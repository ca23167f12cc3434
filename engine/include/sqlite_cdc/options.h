#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sqlite_cdc/env.h"
#include "sqlite_cdc/logger.h"

namespace sqlite_cdc {

inline constexpr const char* kDefaultDbParams = "_pragma=journal_mode(wal)&_pragma=busy_timeout(5000)";

// Which database, which tables, and how their changes are captured. Setup stores the capture
// settings (blobs, subsecond, keep_unchanged_updates) and the watched tables in the database; the
// engine and the status report then use the stored settings: leave these at their defaults there,
// and a value that contradicts the stored one is refused (kInvalidArgument). A database set up by a
// version that stored nothing is judged by the settings given, as before.
struct CaptureOptions {
  std::string db_path;
  std::vector<std::string> tables;  // empty: every user table (setup) or every watched table
  std::string log_table = "__cdc_log";
  std::string db_params = kDefaultDbParams;  // "_pragma=name(value)&..."
  bool blobs = false;                        // include BLOB-declared columns as uppercase hex
  bool subsecond = true;                     // millisecond timestamps
  bool keep_unchanged_updates = false;       // log UPDATEs that change neither the image nor the key
};

// Bounds of the engine's retry loop around a failing handler.
struct RetryOptions {
  int max_attempts = 10;  // including the first; then the engine stops with the log untouched
  std::chrono::milliseconds initial_backoff{100};
  std::chrono::milliseconds max_backoff{30000};
};

// Where a bootstrap stands, one table at a time. It goes through the tables twice: the snapshot
// copies each table's rows (all tables inside one read transaction), then they are delivered.
struct BootstrapProgress {
  enum class Phase { kSnapshot, kDelivery };
  Phase phase = Phase::kSnapshot;
  std::string table;
  int64_t rows_done = 0;
  // The table's count(*), read in the snapshot's transaction before its rows are copied: exactly
  // the rows the bootstrap delivers.
  int64_t rows_total = 0;
};

// Called on the engine's thread, in table order, for each table and phase: first with rows_done 0,
// then as rows are copied (every 1024) or delivered (after each accepted batch), last with
// rows_done == rows_total. It must return quickly and must not call the engine.
using BootstrapProgressCallback = std::function<void(const BootstrapProgress&)>;

// How much the engine reads ahead of what a PipelinedHandler has confirmed. A plain ChangesHandler
// has one batch in flight whatever these say.
struct PipelineOptions {
  size_t max_changes = 65536;    // changes sent and not yet confirmed
  size_t max_bytes = 64u << 20;  // their keys and images, in bytes
  // After Stop(): how long the engine still waits for confirmations of what is in flight, so that it
  // leaves the log. What is not confirmed by then stays in the log and is delivered again.
  std::chrono::milliseconds stop_grace{5000};
};

class EngineObserver;

struct EngineOptions {
  CaptureOptions capture;
  size_t batch_size = 256;
  std::chrono::milliseconds poll_interval{1000};
  bool use_inotify = true;  // false: wake on the poll timer only
  bool resync = false;      // re-install drifted triggers instead of warning
  // A bootstrap into a sink that keeps a position (SinkPosition::kept) and already holds a complete
  // snapshot is skipped, and delivery resumes from the sink's position; true takes a new snapshot.
  bool force_bootstrap = false;
  RetryOptions retry;
  PipelineOptions pipeline;
  // Delivered changes leave the log in short write transactions of at most `ack_max_rows` changes
  // (about a millisecond of the write lock here), the first at most `ack_interval` after a change was
  // delivered or once `ack_max_rows` are waiting. Every such transaction takes the database's write
  // lock, and an application's commit that finds it taken sleeps in its busy handler (a millisecond
  // or more), so between two of them the lock is left free long enough that the engine holds it at
  // most `ack_lock_share` of the time; while more than `ack_catch_up` delivered ids wait, and when a
  // drain ends or the engine stops, half of the time. An `ack_interval` of 0 deletes after every
  // batch, unpaced. A crash delivers again what was delivered and not yet deleted.
  std::chrono::milliseconds ack_interval{250};
  size_t ack_max_rows = 1000;
  double ack_lock_share = 0.005;
  size_t ack_catch_up = 1000000;
  // A log row that cannot be a change event (an unknown operation, a key or image that is not a JSON
  // object, before/after not fitting the operation) stops the engine with an error naming its id,
  // leaving it and everything after it in the log. With a path, such rows are appended to that
  // file instead (one JSON line each, synced before the row leaves the log), a warning names each,
  // and the engine goes on.
  std::string dead_letter_path;
  EngineObserver* observer = nullptr;            // not owned; must outlive the engine
  BootstrapProgressCallback bootstrap_progress;  // empty: no reports
  // The clock and sleeps of the retry backoff and of the grouped deletions (see env.h). Not owned;
  // must outlive the engine. Null: Env::Default().
  Env* env = Env::Default();
  // Where the engine's log lines go. Not owned; must outlive the engine. Null: spdlog's default
  // logger, which the command-line programs set up.
  Logger* info_log = nullptr;
};

}  // namespace sqlite_cdc
