#include "status_format.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "duration.h"

namespace sqlite_cdc::cli {
namespace {

std::string Printf(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

// "48.0 KiB": binary units, as file tools print them.
std::string HumanBytes(int64_t bytes) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  for (; value >= 1024 && unit < 4; ++unit) value /= 1024;
  if (unit == 0) return std::to_string(bytes) + " bytes";
  return Printf("%.1f ", value) + units[unit] + " (" + std::to_string(bytes) + " bytes)";
}

int DriftedCount(const CaptureStatus& status) {
  int drifted = 0;
  for (const WatchedTableStatus& table : status.tables) {
    drifted += table.triggers_match || table.triggers == WatchedTableStatus::Triggers::kTableDropped ? 0 : 1;
  }
  return drifted;
}

int CountOf(const CaptureStatus& status, WatchedTableStatus::Triggers triggers) {
  return static_cast<int>(std::count_if(status.tables.begin(), status.tables.end(),
                                        [&](const WatchedTableStatus& table) { return table.triggers == triggers; }));
}

const char* TriggersName(WatchedTableStatus::Triggers triggers) {
  switch (triggers) {
    case WatchedTableStatus::Triggers::kMatch:
      return "match";
    case WatchedTableStatus::Triggers::kOutdated:
      return "outdated";
    case WatchedTableStatus::Triggers::kMissing:
      return "missing";
    case WatchedTableStatus::Triggers::kRenamed:
      return "renamed";
    case WatchedTableStatus::Triggers::kTableDropped:
      return "table_dropped";
    case WatchedTableStatus::Triggers::kOvertaken:
      return "overtaken";
  }
  return "";
}

std::string TableLine(const WatchedTableStatus& table) {
  static const std::string kFix = "; run sqlite-cdc-setup --setup, or sqlite-cdc --resync";
  switch (table.triggers) {
    case WatchedTableStatus::Triggers::kMatch:
      return "triggers match its columns";
    case WatchedTableStatus::Triggers::kOutdated:
      return "TRIGGERS OUTDATED, the columns changed" + kFix;
    case WatchedTableStatus::Triggers::kMissing:
      return "NO TRIGGERS, its changes are NOT captured (the table was rebuilt or its triggers dropped)" + kFix;
    case WatchedTableStatus::Triggers::kRenamed:
      return "RENAMED to " + table.renamed_to + ", its changes are logged as " + table.name + kFix;
    case WatchedTableStatus::Triggers::kTableDropped:
      return "table dropped; its changes in the log are still delivered; sqlite-cdc-setup --teardown --table " +
             table.name + " stops watching it";
    case WatchedTableStatus::Triggers::kOvertaken: {
      std::string triggers;
      for (const std::string& trigger : table.firing_first) triggers += (triggers.empty() ? "" : ", ") + trigger;
      return "TRIGGERS OVERTAKEN by " + triggers +
             " (created after them, fired first: what it writes to the table is logged before the change that "
             "fired it)" +
             kFix;
    }
  }
  return "";
}

std::string CaptureLine(const CaptureStatus& status) {
  std::string line = status.blobs ? "blobs on" : "blobs off";
  line += status.subsecond ? ", millisecond timestamps" : ", whole-second timestamps";
  line += status.keep_unchanged_updates ? ", unchanged updates logged" : ", unchanged updates skipped";
  line += status.options_stored ? " (stored at setup)"
                                : " (from the command line: this setup stored none; run sqlite-cdc-setup --setup "
                                  "with these options to store them)";
  return line;
}

}  // namespace

std::string FormatStatusText(const std::string& db_path, const CaptureStatus& status) {
  std::string out;
  const auto line = [&out](const char* label, const std::string& value) {
    out += label;
    out.append(17 - std::string(label).size(), ' ');
    out += value + "\n";
  };
  line("database:", db_path);
  line("log table:", status.log_table + ", " + HumanBytes(status.log_bytes) +
                         (status.log_bytes_exact ? "" : " (estimated: this SQLite has no dbstat)"));
  line("backlog:", std::to_string(status.backlog) + (status.backlog == 1 ? " change" : " changes"));
  if (status.oldest_id) {
    std::string oldest = "id " + std::to_string(*status.oldest_id) + " at " + status.oldest_timestamp.value_or("");
    if (status.oldest_age_seconds) oldest += ", " + FormatDuration(*status.oldest_age_seconds) + " ago";
    line("oldest change:", oldest);
  } else {
    line("oldest change:", "none, the log is empty");
  }
  line("last delivered:", status.last_delivered_id ? "id " + std::to_string(status.last_delivered_id) : "none yet");
  line("log ids:", status.log_state_problem.empty() ? "consistent" : "INCONSISTENT: " + status.log_state_problem);
  line("capture:", CaptureLine(status));
  std::string watched = std::to_string(status.tables.size());
  const std::pair<WatchedTableStatus::Triggers, const char*> counts[] = {
      {WatchedTableStatus::Triggers::kOutdated, " with outdated triggers"},
      {WatchedTableStatus::Triggers::kMissing, " WITHOUT TRIGGERS"},
      {WatchedTableStatus::Triggers::kRenamed, " RENAMED"},
      {WatchedTableStatus::Triggers::kTableDropped, " dropped"},
      {WatchedTableStatus::Triggers::kOvertaken, " with triggers overtaken"}};
  for (const auto& [triggers, label] : counts) {
    if (const int n = CountOf(status, triggers)) watched += ", " + std::to_string(n) + label;
  }
  line("watched tables:", watched);
  for (const WatchedTableStatus& table : status.tables) out += "  " + table.name + ": " + TableLine(table) + "\n";
  return out;
}

std::string FormatStatusJson(const std::string& db_path, const CaptureStatus& status) {
  nlohmann::ordered_json json;
  json["database"] = db_path;
  json["log_table"] = status.log_table;
  json["backlog"] = status.backlog;
  json["oldest_id"] = status.oldest_id ? nlohmann::ordered_json(*status.oldest_id) : nullptr;
  json["oldest_timestamp"] = status.oldest_timestamp ? nlohmann::ordered_json(*status.oldest_timestamp) : nullptr;
  json["oldest_age_seconds"] = status.oldest_age_seconds ? nlohmann::ordered_json(*status.oldest_age_seconds) : nullptr;
  json["last_delivered_id"] = status.last_delivered_id;
  json["log_bytes"] = status.log_bytes;
  json["log_bytes_source"] = status.log_bytes_exact ? "dbstat" : "estimate";
  json["capture_options"] = {{"blobs", status.blobs},
                             {"subsecond", status.subsecond},
                             {"keep_unchanged_updates", status.keep_unchanged_updates},
                             {"stored", status.options_stored}};
  json["drifted"] = DriftedCount(status);
  json["log_state_problem"] = status.log_state_problem.empty() ? nlohmann::ordered_json(nullptr)
                                                               : nlohmann::ordered_json(status.log_state_problem);
  json["tables"] = nlohmann::ordered_json::array();
  for (const WatchedTableStatus& table : status.tables) {
    nlohmann::ordered_json entry{
        {"name", table.name}, {"triggers_match", table.triggers_match}, {"triggers", TriggersName(table.triggers)}};
    entry["renamed_to"] =
        table.renamed_to.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(table.renamed_to);
    entry["firing_first"] = table.firing_first;
    json["tables"].push_back(std::move(entry));
  }
  // Replace, not throw, on names that are not UTF-8: SQLite allows any bytes in identifiers.
  return json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace sqlite_cdc::cli
