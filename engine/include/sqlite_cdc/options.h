#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace sqlite_cdc {

inline constexpr const char* kDefaultDbParams = "_pragma=journal_mode(wal)&_pragma=busy_timeout(5000)";

// Which database, which tables, and how their changes are captured. Setup, teardown and the engine
// must be given the same capture settings: the engine compares installed triggers against them.
struct CaptureOptions {
  std::string db_path;
  std::vector<std::string> tables;  // empty: every user table (setup) or every watched table
  std::string log_table = "__cdc_log";
  std::string db_params = kDefaultDbParams;  // "_pragma=name(value)&..."
  bool blobs = false;                        // include BLOB-declared columns as uppercase hex
  bool subsecond = true;                     // millisecond timestamps
};

// Bounds of the engine's retry loop around a failing handler.
struct RetryOptions {
  int max_attempts = 10;  // including the first; then the engine stops with the log untouched
  std::chrono::milliseconds initial_backoff{100};
  std::chrono::milliseconds max_backoff{30000};
};

class EngineObserver;

struct EngineOptions {
  CaptureOptions capture;
  size_t batch_size = 256;
  std::chrono::milliseconds poll_interval{1000};
  bool use_inotify = true;   // false: wake on the poll timer only
  bool resync = false;       // re-install drifted triggers instead of warning
  RetryOptions retry;
  EngineObserver* observer = nullptr;  // not owned; must outlive the engine
};

}  // namespace sqlite_cdc
