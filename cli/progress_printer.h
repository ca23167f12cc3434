#pragma once

#include <chrono>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>

#include "sqlite_cdc/options.h"

namespace sqlite_cdc::cli {

// Shows a bootstrap's progress to a person at a terminal: one line per table and phase, rewritten
// in place ("\r", erase to the end of the line) and finished with a newline when the phase is done:
//   bootstrap items: snapshot 120000/1000000 rows (12%), 48000 rows/s, 18.3s left
// It writes at most once per `interval`, plus the final line of a table it has shown: a table done
// within the interval is not shown at all. Not thread-safe; the engine reports from one thread.
class ProgressPrinter {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  explicit ProgressPrinter(std::FILE* out, Clock clock = std::chrono::steady_clock::now,
                           std::chrono::milliseconds interval = std::chrono::milliseconds(250));

  void Report(const BootstrapProgress& progress);

 private:
  std::string Line(const BootstrapProgress& progress, std::chrono::steady_clock::time_point now) const;

  std::FILE* out_;
  Clock clock_;
  std::chrono::milliseconds interval_;
  // The table and phase being counted, and since when.
  std::optional<std::pair<std::string, BootstrapProgress::Phase>> current_;
  std::chrono::steady_clock::time_point started_;
  std::optional<std::chrono::steady_clock::time_point> last_write_;
  bool line_open_ = false;  // a line was written for the current table and phase, without its newline
};

}  // namespace sqlite_cdc::cli
