#pragma once

#include <chrono>
#include <mutex>
#include <vector>

#include "sqlite_cdc/env.h"

namespace sqlite_cdc::testing {

// Simulated time for the engine's backoff: Now() moves only when a wait passes its timeout, which
// it does at once, and every wait is recorded: a test reads the engine's schedule without waiting.
class FakeEnv : public Env {
 public:
  Clock::time_point Now() override {
    std::lock_guard lock(mutex_);
    return now_;
  }

  void TimedWait(std::condition_variable&, std::unique_lock<std::mutex>&, std::chrono::milliseconds timeout) override {
    std::lock_guard lock(mutex_);
    now_ += timeout;
    waits_.push_back(timeout);
  }

  std::vector<std::chrono::milliseconds> waits() {
    std::lock_guard lock(mutex_);
    return waits_;
  }

 private:
  std::mutex mutex_;
  Clock::time_point now_ = Clock::time_point(std::chrono::hours(1));
  std::vector<std::chrono::milliseconds> waits_;
};

}  // namespace sqlite_cdc::testing
