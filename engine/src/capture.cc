#include "capture.h"

#include <strings.h>

#include <algorithm>

#include "capture_config.h"
#include "catalog.h"
#include "schema/identifier.h"

namespace sqlite_cdc::internal {
namespace {

bool SameIdentifier(const std::string& a, const std::string& b) { return strcasecmp(a.c_str(), b.c_str()) == 0; }

}  // namespace

schema::TriggerOptions TriggerOptionsFor(const CaptureOptions& options) {
  schema::TriggerOptions trigger;
  trigger.names = schema::LogTableNames::For(options.log_table);
  trigger.blobs = options.blobs;
  trigger.subsecond = options.subsecond;
  trigger.keep_unchanged_updates = options.keep_unchanged_updates;
  return trigger;
}

std::vector<Pragma> ValidateCaptureOptions(const CaptureOptions& options) {
  if (options.log_table.empty()) throw InvalidInput("log_table must not be empty");
  if (options.log_table.find('\0') != std::string::npos) throw InvalidInput("log_table holds a NUL byte");
  const schema::LogTableNames names = schema::LogTableNames::For(options.log_table);
  for (const std::string& name : {names.log, names.state, names.evicted, names.config}) {
    if (schema::IsReservedName(name)) {
      throw InvalidInput("log_table " + options.log_table + ": the log's table " + name +
                         " would begin with sqlite_, which SQLite reserves; choose another log_table");
    }
  }
  return ParseDbParams(options.db_params);
}

void ApplyPragmas(Database& db, const std::vector<Pragma>& pragmas) {
  for (const Pragma& pragma : pragmas) {
    try {
      db.Execute(PragmaSql(pragma));
    } catch (const DatabaseError& error) {
      throw InvalidInput("db_params: " + pragma.name + ": " + error.what());
    }
  }
}

std::vector<schema::TableSchema> ReadTables(Database& db, const std::vector<std::string>& names,
                                            const schema::LogTableNames& log) {
  std::vector<schema::TableSchema> tables;
  for (const std::string& name : names) {
    if (SameIdentifier(name, log.log) || SameIdentifier(name, log.state) || SameIdentifier(name, log.evicted) ||
        SameIdentifier(name, log.config)) {
      throw InvalidInput(name + " is the change log itself and cannot be watched");
    }
    schema::TableSchema table = ReadTable(db, name);
    const bool seen =
        std::any_of(tables.begin(), tables.end(), [&](const schema::TableSchema& t) { return t.name == table.name; });
    if (!seen) tables.push_back(std::move(table));
  }
  return tables;
}

void RequireSetUpLog(Database& db, const CaptureOptions& options, const schema::LogTableNames& names) {
  if (!TableExists(db, names.log)) {
    throw NotFound("no change log " + names.log + " in " + options.db_path + "; run sqlite-cdc-setup --setup first");
  }
  CheckLogTablesAreOurs(db, names);
}

std::vector<std::string> ResolveWatchedTables(Database& db, const CaptureOptions& options,
                                              const schema::LogTableNames& names) {
  const std::optional<StoredConfig> stored = ReadStoredConfig(db, names);
  const std::vector<std::string> watched = stored ? stored->tables : WatchedTables(db, names);
  if (options.tables.empty()) return watched;
  std::vector<std::string> tables;
  for (const schema::TableSchema& table : ReadTables(db, options.tables, names)) {
    if (std::find(watched.begin(), watched.end(), table.name) == watched.end()) {
      throw InvalidInput("table " + table.name + " is not watched; run sqlite-cdc-setup --setup --table " + table.name);
    }
    tables.push_back(table.name);
  }
  return tables;
}

}  // namespace sqlite_cdc::internal
