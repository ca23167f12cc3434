#include "capture_config.h"

#include <algorithm>

#include "catalog.h"
#include "schema/identifier.h"

namespace sqlite_cdc::internal {
namespace {

constexpr const char* kBlobs = "blobs";
constexpr const char* kSubsecond = "subsecond";
constexpr const char* kKeepUnchangedUpdates = "keep_unchanged_updates";

struct Flag {
  const char* option;  // the config row's name
  const char* flag;    // the option set away from its default, as messages name it (the CLI maps it to its flag)
  bool CaptureOptions::*field;
  const char* on;  // how the stored value reads in messages
  const char* off;
};

constexpr Flag kFlags[] = {
    {kBlobs, "blobs=true", &CaptureOptions::blobs, "blobs on", "blobs off"},
    {kSubsecond, "subsecond=false", &CaptureOptions::subsecond, "millisecond timestamps", "whole-second timestamps"},
    {kKeepUnchangedUpdates, "keep_unchanged_updates=true", &CaptureOptions::keep_unchanged_updates,
     "unchanged updates logged", "unchanged updates skipped"},
};

void Upsert(Database& db, const schema::LogTableNames& names, const char* kind, const std::string& name,
            const std::optional<std::string>& value) {
  Statement statement(db, "INSERT INTO " + schema::QuoteIdentifier(names.config) +
                              " (kind, name, value) VALUES (?1, ?2, ?3) ON CONFLICT (kind, name) DO UPDATE SET "
                              "value = excluded.value WHERE value IS NOT excluded.value");
  statement.Bind(1, kind).Bind(2, name);
  if (value) statement.Bind(3, *value);
  statement.Step();
}

}  // namespace

std::optional<StoredConfig> ReadStoredConfig(Database& db, const schema::LogTableNames& names) {
  if (!TableExists(db, names.config)) return std::nullopt;
  CaptureOptions options;
  StoredConfig config;
  Statement rows(db, "SELECT kind, name, value FROM " + schema::QuoteIdentifier(names.config) + " ORDER BY kind, name");
  while (rows.Step()) {
    const std::string kind(rows.Text(0));
    const std::string name(rows.Text(1));
    if (kind == "table") {
      config.tables.push_back(name);
      continue;
    }
    if (kind == "log" && name == "epoch") config.log_epoch = std::string(rows.Text(2));
    for (const Flag& flag : kFlags) {
      if (kind == "option" && name == flag.option) options.*flag.field = rows.Text(2) == "1";
    }
  }
  config.blobs = options.blobs;
  config.subsecond = options.subsecond;
  config.keep_unchanged_updates = options.keep_unchanged_updates;
  return config;
}

void EnsureLogEpoch(Database& db, const schema::LogTableNames& names) {
  if (!TableExists(db, names.config)) return;
  const std::string config = schema::QuoteIdentifier(names.config);
  if (db.QueryInt("SELECT count(*) FROM " + config + " WHERE kind = 'log' AND name = 'epoch'") > 0) return;
  db.Execute("INSERT INTO " + config +
             " (kind, name, value) VALUES ('log', 'epoch', lower(hex(randomblob(16)))) "
             "ON CONFLICT (kind, name) DO NOTHING");
}

void WriteStoredConfig(Database& db, const schema::LogTableNames& names, const StoredConfig& config) {
  db.Execute(schema::CreateConfigTableSql(names));
  EnsureLogEpoch(db, names);
  const CaptureOptions options = WithStoredOptions({}, config);
  for (const Flag& flag : kFlags) Upsert(db, names, "option", flag.option, options.*flag.field ? "1" : "0");
  const std::optional<StoredConfig> stored = ReadStoredConfig(db, names);
  for (const std::string& table : stored->tables) {
    if (std::find(config.tables.begin(), config.tables.end(), table) != config.tables.end()) continue;
    Statement remove(db,
                     "DELETE FROM " + schema::QuoteIdentifier(names.config) + " WHERE kind = 'table' AND name = ?1");
    remove.Bind(1, table);
    remove.Step();
  }
  for (const std::string& table : config.tables) Upsert(db, names, "table", table, std::nullopt);
}

CaptureOptions ResolveCaptureOptions(const CaptureOptions& given, const std::optional<StoredConfig>& stored) {
  if (!stored) return given;
  const CaptureOptions resolved = WithStoredOptions(given, *stored);
  const CaptureOptions defaults;
  for (const Flag& flag : kFlags) {
    const bool value = given.*flag.field;
    if (value == defaults.*flag.field || value == resolved.*flag.field) continue;
    throw InvalidInput(std::string(flag.flag) + " contradicts the capture options stored at setup (" +
                       (resolved.*flag.field ? flag.on : flag.off) +
                       "); leave it out, or change the stored options by running setup again");
  }
  return resolved;
}

CaptureOptions WithStoredOptions(CaptureOptions options, const StoredConfig& stored) {
  options.blobs = stored.blobs;
  options.subsecond = stored.subsecond;
  options.keep_unchanged_updates = stored.keep_unchanged_updates;
  return options;
}

StoredConfig ConfigOf(const CaptureOptions& options, std::vector<std::string> tables) {
  StoredConfig config;
  config.blobs = options.blobs;
  config.subsecond = options.subsecond;
  config.keep_unchanged_updates = options.keep_unchanged_updates;
  config.tables = std::move(tables);
  std::sort(config.tables.begin(), config.tables.end());
  config.tables.erase(std::unique(config.tables.begin(), config.tables.end()), config.tables.end());
  return config;
}

std::string DescribeCaptureOptions(const CaptureOptions& options) {
  std::string text;
  for (const Flag& flag : kFlags) {
    if (!text.empty()) text += ", ";
    text += options.*flag.field ? flag.on : flag.off;
  }
  return text;
}

}  // namespace sqlite_cdc::internal
