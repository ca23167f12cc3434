#pragma once

#include <signal.h>

#include <atomic>
#include <thread>

#include "sqlite_cdc/engine.h"

namespace sqlite_cdc::cli {

// Turns SIGINT and SIGTERM into Engine::Stop() on a thread of its own, so the engine finishes or
// abandons the batch in flight cleanly instead of dying mid-write. REQUIRES: BlockInThisAndNewThreads()
// was called before any thread was started, so the signals reach only this watcher.
class StopOnSignals {
 public:
  explicit StopOnSignals(Engine& engine);
  ~StopOnSignals();
  StopOnSignals(const StopOnSignals&) = delete;
  StopOnSignals& operator=(const StopOnSignals&) = delete;

  static void BlockInThisAndNewThreads();

  // The first signal that stopped the engine (SIGINT or SIGTERM), or 0 when none came.
  int received() const { return received_; }

 private:
  void Run(Engine& engine);

  std::atomic<bool> done_{false};
  std::atomic<int> received_{0};
  std::thread thread_;
};

}  // namespace sqlite_cdc::cli
