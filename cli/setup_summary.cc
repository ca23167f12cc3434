#include "setup_summary.h"

#include <algorithm>

#include "sqlite_cdc/status_report.h"

namespace sqlite_cdc::cli {
namespace {

// "2 tables (items, users)"; past ten names, "and 5 more", to keep it one readable line.
std::string DescribeTables(const std::vector<std::string>& tables) {
  constexpr size_t kShown = 10;
  std::string text = std::to_string(tables.size()) + (tables.size() == 1 ? " table" : " tables");
  if (tables.empty()) return text;
  text += " (";
  for (size_t i = 0; i < tables.size() && i < kShown; ++i) text += (i ? ", " : "") + tables[i];
  if (tables.size() > kShown) text += ", and " + std::to_string(tables.size() - kShown) + " more";
  return text + ")";
}

}  // namespace

Status ReadWatchedTables(const CaptureOptions& options, std::vector<std::string>* tables) {
  // Only which log: the stored capture options are what the report is read with.
  CaptureOptions which;
  which.db_path = options.db_path;
  which.log_table = options.log_table;
  CaptureStatus status;
  if (Status read = ReadCaptureStatus(which, &status); !read.ok()) return read;
  tables->clear();
  for (const WatchedTableStatus& table : status.tables) tables->push_back(table.name);
  return Status::Ok();
}

std::string SetupSummary(const CaptureOptions& options, const std::vector<std::string>& watched) {
  return options.db_path + ": watching " + DescribeTables(watched) + ", log " + options.log_table;
}

std::string TeardownSummary(const CaptureOptions& options, const std::vector<std::string>& before,
                            const std::vector<std::string>* after) {
  std::vector<std::string> removed;
  for (const std::string& table : before) {
    if (!after || std::find(after->begin(), after->end(), table) == after->end()) removed.push_back(table);
  }
  std::string text = options.db_path + ": removed the triggers of " + DescribeTables(removed);
  if (!after) return text + " and the log " + options.log_table;
  return text + "; still watching " + DescribeTables(*after);
}

}  // namespace sqlite_cdc::cli
