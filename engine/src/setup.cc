#include "sqlite_cdc/setup.h"

#include <strings.h>

#include <algorithm>

#include "capture.h"
#include "capture_config.h"
#include "catalog.h"
#include "guarded.h"
#include "schema/identifier.h"
#include "table_health.h"
#include "table_resync.h"
#include "trigger_installer.h"

namespace sqlite_cdc {

using internal::Database;
using internal::InvalidInput;

namespace {

void RefuseTablesOfOtherLogs(Database& db, const std::vector<schema::TableSchema>& tables,
                             const schema::LogTableNames& names) {
  for (const schema::TableSchema& table : tables) {
    for (const internal::InstalledTrigger& trigger : internal::CdcTriggersOn(db, table.name)) {
      if (!internal::FeedsLog(trigger.sql, names)) {
        throw InvalidInput(table.name + " is already watched by another log table (trigger " + trigger.name +
                           "); tear it down there first");
      }
    }
  }
}

void SwitchToWal(Database& db) {
  const std::string mode = db.QueryText("PRAGMA journal_mode=WAL");
  if (mode != "wal") throw InvalidInput("cannot switch the database to WAL mode (journal mode stays " + mode + ")");
}

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Rowids are renumbered by VACUUM, so a key of {"rowid": N} may name another row afterwards.
void WarnAboutRowidKeys(Database& db, const std::vector<std::string>& tables, std::vector<std::string>* warnings) {
  for (const std::string& name : tables) {
    if (!internal::ReadTable(db, name).KeyColumns().empty()) continue;
    warnings->push_back("table " + name +
                        " has no primary key: its events are keyed by rowid, which VACUUM may renumber, so events "
                        "after a VACUUM can name other rows; declare an INTEGER PRIMARY KEY (or another key) to "
                        "give its rows stable keys");
  }
}

// Brings every table watched so far up to `options`, following renames and forgetting dropped
// tables. Returns the tables still watched. REQUIRES: a write transaction.
std::vector<std::string> ResyncWatched(Database& db, const std::vector<std::string>& watched,
                                       const schema::TriggerOptions& options, std::vector<std::string>* warnings) {
  std::vector<std::string> kept;
  for (const std::string& name : watched) {
    const internal::TableHealth health = internal::CheckTableHealth(db, name, options);
    if (health.state == internal::TableHealth::State::kDropped) {
      warnings->push_back("table " + name +
                          " no longer exists and is no longer watched; its changes already in the log are still "
                          "delivered");
      continue;
    }
    internal::TableResync resync = internal::ResyncTable(db, name, health, options);
    warnings->insert(warnings->end(), resync.warnings.begin(), resync.warnings.end());
    if (!Contains(kept, resync.table)) kept.push_back(resync.table);
  }
  return kept;
}

}  // namespace

Status Setup(const CaptureOptions& options, SetupReport* report) {
  return internal::GuardedDoing("set up " + options.db_path, [&] {
    const auto pragmas = internal::ValidateCaptureOptions(options);
    const schema::TriggerOptions trigger_options = internal::TriggerOptionsFor(options);
    const schema::LogTableNames& names = trigger_options.names;
    Database db = Database::OpenExisting(options.db_path);

    // Every check runs before the first change, so bad input leaves the file exactly as it was.
    internal::CheckLogTablesAreOurs(db, names);
    const std::vector<std::string> wanted = options.tables.empty() ? internal::UserTables(db, names) : options.tables;
    if (wanted.empty()) throw InvalidInput("the database has no tables to watch");
    const std::vector<schema::TableSchema> tables = internal::ReadTables(db, wanted, names);
    RefuseTablesOfOtherLogs(db, tables, names);

    internal::ApplyPragmas(db, pragmas);
    SwitchToWal(db);
    std::vector<std::string> warnings;
    internal::WriteTransaction transaction(db);
    db.Execute(schema::CreateLogTableSql(names));
    db.Execute(schema::CreateStateTableSql(names));
    db.Execute(schema::CreateEvictedTableSql(names));
    db.Execute(schema::RestoreHighWaterRowSql(names));
    // Re-read inside the write lock: the schema cannot change between here and COMMIT.
    const std::optional<internal::StoredConfig> stored = internal::ReadStoredConfig(db, names);
    const std::vector<std::string> before = stored ? stored->tables : internal::WatchedTables(db, names);
    if (stored) {
      const std::string was = internal::DescribeCaptureOptions(internal::WithStoredOptions(options, *stored));
      const std::string now = internal::DescribeCaptureOptions(options);
      if (was != now) {
        warnings.push_back("capture options changed from " + was + " to " + now +
                           "; re-installing the triggers of every watched table");
      }
    }
    std::vector<std::string> watched = ResyncWatched(db, before, trigger_options, &warnings);
    for (const schema::TableSchema& table : internal::ReadTables(db, wanted, names)) {
      if (Contains(watched, table.name)) continue;
      internal::InstallTriggers(db, table, trigger_options);
      watched.push_back(table.name);
    }
    const internal::StoredConfig config = internal::ConfigOf(options, watched);
    internal::WriteStoredConfig(db, names, config);
    WarnAboutRowidKeys(db, config.tables, &warnings);
    transaction.Commit();
    if (report) report->warnings = std::move(warnings);
    return Status::Ok();
  });
}

Status Teardown(const CaptureOptions& options, const TeardownOptions& teardown) {
  return internal::GuardedDoing("tear down " + options.db_path, [&] {
    const auto pragmas = internal::ValidateCaptureOptions(options);
    const schema::TriggerOptions trigger_options = internal::TriggerOptionsFor(options);
    const schema::LogTableNames& names = trigger_options.names;
    Database db = Database::OpenExisting(options.db_path);
    internal::CheckLogTablesAreOurs(db, names);
    const std::optional<internal::StoredConfig> stored = internal::ReadStoredConfig(db, names);
    const std::vector<std::string> configured = stored ? stored->tables : std::vector<std::string>{};
    // Where each configured table's triggers sit now: on it, on its new name, or nowhere.
    const auto current = [&](const std::string& name) {
      const internal::TableHealth health = internal::CheckTableHealth(db, name, trigger_options);
      if (health.state == internal::TableHealth::State::kRenamed) return health.renamed_to;
      return health.state == internal::TableHealth::State::kDropped ? std::string() : name;
    };
    std::vector<std::string> tables;     // to drop triggers from
    std::vector<std::string> forgotten;  // config rows to remove
    if (options.tables.empty()) {
      tables = internal::WatchedTables(db, names);
      forgotten = configured;
    } else {
      for (const std::string& name : options.tables) {
        const auto gone = std::find_if(configured.begin(), configured.end(), [&](const std::string& c) {
          return strcasecmp(c.c_str(), name.c_str()) == 0 && !internal::TableExists(db, c);
        });
        if (gone != configured.end()) {
          forgotten.push_back(*gone);
          if (const std::string on = current(*gone); !on.empty()) tables.push_back(on);
          continue;
        }
        const std::string table = internal::ReadTables(db, {name}, names).front().name;
        tables.push_back(table);
        for (const std::string& c : configured) {
          if (c == table || current(c) == table) forgotten.push_back(c);
        }
      }
    }

    internal::ApplyPragmas(db, pragmas);
    internal::WriteTransaction transaction(db);
    for (const std::string& table : tables) internal::DropTriggers(db, table, names);
    std::vector<std::string> remaining;
    for (const std::string& c : configured) {
      if (!Contains(forgotten, c)) remaining.push_back(c);
    }
    if (internal::WatchedTables(db, names).empty() && remaining.empty()) {
      const int64_t backlog = internal::TableExists(db, names.log)
                                  ? db.QueryInt("SELECT count(*) FROM " + schema::QuoteIdentifier(names.log) +
                                                " WHERE " + schema::UndeliveredCondition(names))
                                  : 0;
      if (backlog > 0 && !teardown.discard_undelivered) {
        throw InvalidInput("the log " + names.log + " still holds " + std::to_string(backlog) +
                           " undelivered changes; drain them first, or discard them with discard_undelivered");
      }
      db.Execute(schema::DropLogTablesSql(names));
    } else if (stored) {
      internal::StoredConfig config = *stored;
      config.tables = remaining;
      internal::WriteStoredConfig(db, names, config);
    }
    transaction.Commit();
    return Status::Ok();
  });
}

}  // namespace sqlite_cdc
