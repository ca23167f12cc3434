#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "sqlite_cdc/logger.h"

namespace sqlite_cdc::testing {

// Keeps every line the library logged through it, as "<level>: <line>".
class RecordingLogger : public Logger {
 public:
  void Log(Level level, std::string_view line) override {
    static constexpr const char* kNames[] = {"debug", "info", "warning", "error"};
    std::lock_guard lock(mutex_);
    lines_.push_back(std::string(kNames[static_cast<int>(level)]) + ": " + std::string(line));
  }

  std::vector<std::string> lines() {
    std::lock_guard lock(mutex_);
    return lines_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> lines_;
};

}  // namespace sqlite_cdc::testing
