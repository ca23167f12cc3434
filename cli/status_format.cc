#include "status_format.h"

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
  for (const WatchedTableStatus& table : status.tables) drifted += table.triggers_match ? 0 : 1;
  return drifted;
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
  const int drifted = DriftedCount(status);
  line("watched tables:", std::to_string(status.tables.size()) +
                              (drifted ? ", " + std::to_string(drifted) + " with outdated triggers" : ""));
  for (const WatchedTableStatus& table : status.tables) {
    out += "  " + table.name + ": ";
    out += table.triggers_match ? "triggers match its columns\n"
                                : "TRIGGERS OUTDATED, the columns changed; run sqlite-cdc-setup --setup --table " +
                                      table.name + " with the same options, or sqlite-cdc --resync\n";
  }
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
  json["drifted"] = DriftedCount(status);
  json["log_state_problem"] =
      status.log_state_problem.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(status.log_state_problem);
  json["tables"] = nlohmann::ordered_json::array();
  for (const WatchedTableStatus& table : status.tables) {
    json["tables"].push_back({{"name", table.name}, {"triggers_match", table.triggers_match}});
  }
  // Replace, not throw, on names that are not UTF-8: SQLite allows any bytes in identifiers.
  return json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace sqlite_cdc::cli
