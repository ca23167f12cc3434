#pragma once

#include <spdlog/fmt/fmt.h>

#include <string>
#include <utility>

#include "sqlite_cdc/logger.h"

namespace sqlite_cdc::internal {

// The library's log lines, formatted here and handed to the embedder's Logger, or to spdlog's default
// logger when there is none (what the command-line programs configure). Copyable: a pointer.
class InfoLog {
 public:
  // `logger` is not owned and must outlive every copy; null: spdlog's default logger.
  explicit InfoLog(Logger* logger) : logger_(logger) {}

  template <typename... Args>
  void Info(fmt::format_string<Args...> format, Args&&... args) const {
    Write(Logger::Level::kInfo, fmt::format(format, std::forward<Args>(args)...));
  }
  template <typename... Args>
  void Warn(fmt::format_string<Args...> format, Args&&... args) const {
    Write(Logger::Level::kWarning, fmt::format(format, std::forward<Args>(args)...));
  }

 private:
  void Write(Logger::Level level, const std::string& line) const;

  Logger* logger_;
};

}  // namespace sqlite_cdc::internal
