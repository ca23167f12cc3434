#include "info_log.h"

#include <spdlog/spdlog.h>

namespace sqlite_cdc::internal {

namespace {

spdlog::level::level_enum SpdlogLevel(Logger::Level level) {
  switch (level) {
    case Logger::Level::kDebug:
      return spdlog::level::debug;
    case Logger::Level::kInfo:
      return spdlog::level::info;
    case Logger::Level::kWarning:
      return spdlog::level::warn;
    case Logger::Level::kError:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

}  // namespace

void InfoLog::Write(Logger::Level level, const std::string& line) const {
  if (logger_) {
    logger_->Log(level, line);
  } else {
    spdlog::log(SpdlogLevel(level), "{}", line);
  }
}

}  // namespace sqlite_cdc::internal
