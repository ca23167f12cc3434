#include "progress_printer.h"

#include <utility>

#include "duration.h"

namespace sqlite_cdc::cli {

ProgressPrinter::ProgressPrinter(std::FILE* out, Clock clock, std::chrono::milliseconds interval)
    : out_(out), clock_(std::move(clock)), interval_(interval) {}

void ProgressPrinter::Report(const BootstrapProgress& progress) {
  const auto now = clock_();
  auto what = std::make_pair(progress.table, progress.phase);
  if (current_ != what) {
    // The previous table ends with its full count; only a stopped bootstrap leaves a line open.
    if (line_open_) std::fputs("\n", out_);
    current_ = std::move(what);
    started_ = now;
    line_open_ = false;
  }
  const bool complete = progress.rows_done >= progress.rows_total;
  const bool due = !last_write_ || now - *last_write_ >= interval_;
  if (!due && !(complete && line_open_)) return;
  const std::string line = "\r" + Line(progress, now) + "\x1b[K" + (complete ? "\n" : "");
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
  last_write_ = now;
  line_open_ = !complete;
}

std::string ProgressPrinter::Line(const BootstrapProgress& progress, std::chrono::steady_clock::time_point now) const {
  const bool snapshot = progress.phase == BootstrapProgress::Phase::kSnapshot;
  std::string line = "bootstrap " + progress.table + ": " + (snapshot ? "snapshot " : "delivered ") +
                     std::to_string(progress.rows_done) + "/" + std::to_string(progress.rows_total) + " rows";
  if (progress.rows_total > 0) line += " (" + std::to_string(progress.rows_done * 100 / progress.rows_total) + "%)";
  const double seconds = std::chrono::duration<double>(now - started_).count();
  if (progress.rows_done == 0 || seconds <= 0) return line;
  const double rate = static_cast<double>(progress.rows_done) / seconds;
  line += ", " + std::to_string(static_cast<int64_t>(rate)) + " rows/s";
  if (progress.rows_done >= progress.rows_total) return line + ", " + FormatDuration(seconds);
  return line + ", " + FormatDuration(static_cast<double>(progress.rows_total - progress.rows_done) / rate) + " left";
}

}  // namespace sqlite_cdc::cli
