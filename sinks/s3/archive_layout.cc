#include "sinks/s3/archive_layout.h"

#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

namespace sqlite_cdc::sinks {
namespace {

using nlohmann::json;

std::string Padded(int64_t id) {
  char text[32];
  std::snprintf(text, sizeof(text), "%020" PRId64, id);
  return text;
}

// Reads exactly 20 digits at `at`.
std::optional<int64_t> PaddedAt(const std::string& name, size_t at) {
  if (name.size() < at + 20) return std::nullopt;
  int64_t value = 0;
  for (size_t i = at; i < at + 20; ++i) {
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
    value = value * 10 + (name[i] - '0');
  }
  return value;
}

bool EndsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::string ChangesObjectName(int64_t first_id, int64_t last_id) {
  return "changes/" + Padded(first_id) + "-" + Padded(last_id) + ".ndjson.gz";
}

std::optional<std::pair<int64_t, int64_t>> ParseChangesObjectName(const std::string& name) {
  if (name.size() != 8 + 20 + 1 + 20 + 10 || name.rfind("changes/", 0) != 0 || name[28] != '-' ||
      !EndsWith(name, ".ndjson.gz")) {
    return std::nullopt;
  }
  const auto first = PaddedAt(name, 8), last = PaddedAt(name, 29);
  if (!first || !last || *first > *last) return std::nullopt;
  return std::make_pair(*first, *last);
}

std::string SchemaObjectName(int64_t log_position) { return "schema/" + Padded(log_position) + ".json"; }

std::optional<int64_t> ParseSchemaObjectName(const std::string& name) {
  if (name.size() != 7 + 20 + 5 || name.rfind("schema/", 0) != 0 || !EndsWith(name, ".json")) return std::nullopt;
  return PaddedAt(name, 7);
}

std::string SnapshotRunName(std::chrono::system_clock::time_point now) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char text[64];
  std::strftime(text, sizeof(text), "%Y%m%dT%H%M%SZ", &parts);
  std::random_device random;
  char suffix[16];
  std::snprintf(suffix, sizeof(suffix), "-%08x", random());
  return text + std::string(suffix);
}

std::string SnapshotPartName(const std::string& run, int part) {
  char number[16];
  std::snprintf(number, sizeof(number), "%06d", part);
  return "snapshots/" + run + "/part-" + number + ".ndjson.gz";
}

std::string SnapshotManifestName(const std::string& run) { return "snapshots/" + run + "/complete.json"; }

std::optional<std::string> ParseSnapshotManifestName(const std::string& name) {
  const std::string prefix = "snapshots/", suffix = "/complete.json";
  if (name.rfind(prefix, 0) != 0 || !EndsWith(name, suffix) || name.size() <= prefix.size() + suffix.size()) {
    return std::nullopt;
  }
  const std::string run = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  if (run.find('/') != std::string::npos) return std::nullopt;
  return run;
}

std::string SchemaJson(const WatchedSchema& schema, const std::string& stored_at) {
  json tables = json::array();
  for (const TableDefinition& table : schema.tables) {
    tables.push_back({{"name", table.name},
                      {"create_sql", table.create_sql},
                      {"columns", table.columns},
                      {"key", table.key},
                      {"without_rowid", table.without_rowid}});
  }
  json document{{"log_position", schema.log_position}, {"stored_at", stored_at}, {"tables", tables}};
  if (!schema.log_epoch.empty()) document["log_epoch"] = schema.log_epoch;
  return document.dump(2) + "\n";
}

bool ParseSchemaJson(const std::string& text, WatchedSchema* schema, std::string* stored_at) {
  try {
    const json document = json::parse(text);
    WatchedSchema parsed;
    parsed.log_position = document.at("log_position").get<int64_t>();
    for (const json& table : document.at("tables")) {
      parsed.tables.push_back({table.at("name").get<std::string>(), table.at("create_sql").get<std::string>(),
                               table.at("columns").get<std::vector<std::string>>(),
                               table.at("key").get<std::vector<std::string>>(), table.at("without_rowid").get<bool>()});
    }
    parsed.log_epoch = document.value("log_epoch", "");
    *stored_at = document.value("stored_at", "");
    *schema = std::move(parsed);
    return true;
  } catch (const json::exception&) {
    return false;
  }
}

std::string ManifestJson(const SnapshotManifest& manifest) {
  return json{{"log_position", manifest.log_position},
              {"parts", manifest.parts},
              {"rows", manifest.rows},
              {"taken_at", manifest.taken_at}}
             .dump(2) +
         "\n";
}

bool ParseManifestJson(const std::string& text, SnapshotManifest* manifest) {
  try {
    const json document = json::parse(text);
    manifest->log_position = document.at("log_position").get<int64_t>();
    manifest->parts = document.at("parts").get<int>();
    manifest->rows = document.at("rows").get<int64_t>();
    manifest->taken_at = document.at("taken_at").get<std::string>();
    return true;
  } catch (const json::exception&) {
    return false;
  }
}

std::string EventLines(const Changes& batch) {
  std::string text;
  for (const Change& change : batch) {
    AppendEventJson(text, change);
    text += '\n';
  }
  return text;
}

bool ParseEventLines(const std::string& text, Changes* batch) {
  batch->clear();
  std::istringstream lines(text);
  std::string line;
  try {
    while (std::getline(lines, line)) {
      if (line.empty()) continue;
      const json event = json::parse(line);
      Change change;
      change.id = event.at("id").get<int64_t>();
      change.table = event.at("table").get<std::string>();
      change.timestamp = event.at("timestamp").get<std::string>();
      const std::string operation = event.at("operation").get<std::string>();
      if (operation == "INSERT") {
        change.operation = Operation::kInsert;
      } else if (operation == "UPDATE") {
        change.operation = Operation::kUpdate;
      } else if (operation == "DELETE") {
        change.operation = Operation::kDelete;
      } else {
        return false;
      }
      change.key = event.at("key").dump();
      if (!event.at("before").is_null()) change.before = event.at("before").dump();
      if (!event.at("after").is_null()) change.after = event.at("after").dump();
      change.bootstrap = event.value("bootstrap", false);
      batch->push_back(std::move(change));
    }
  } catch (const json::exception&) {
    return false;
  }
  return true;
}

}  // namespace sqlite_cdc::sinks
