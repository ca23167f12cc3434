#pragma once

#include <string_view>

namespace sqlite_cdc {

// Where the library's log lines go (retries, warnings about drifted triggers or damaged rows, what a
// bootstrap or a restore did). Options that take one default to spdlog's default logger, which is
// where the command-line programs configure theirs. This interface keeps spdlog out of the public
// headers: an embedder forwards the lines to whatever logging it uses.
//
// Thread safety: Log may be called from the thread of any engine or restore the logger was given to.
class Logger {
 public:
  enum class Level { kDebug, kInfo, kWarning, kError };

  virtual ~Logger() = default;
  // One line, without its newline and without a level or time prefix. Never holds a secret.
  virtual void Log(Level level, std::string_view line) = 0;
};

}  // namespace sqlite_cdc
