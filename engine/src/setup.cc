#include "sqlite_cdc/setup.h"

#include "capture.h"
#include "catalog.h"
#include "guarded.h"
#include "schema/identifier.h"
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

}  // namespace

Status Setup(const CaptureOptions& options) {
  return internal::Guarded([&] {
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
    internal::WriteTransaction transaction(db);
    db.Execute(schema::CreateLogTableSql(names));
    db.Execute(schema::CreateStateTableSql(names));
    // Re-read inside the write lock: the schema cannot change between here and COMMIT.
    for (const schema::TableSchema& table : internal::ReadTables(db, wanted, names)) {
      internal::InstallTriggers(db, table, trigger_options);
    }
    transaction.Commit();
    return Status::Ok();
  });
}

Status Teardown(const CaptureOptions& options, const TeardownOptions& teardown) {
  return internal::Guarded([&] {
    const auto pragmas = internal::ValidateCaptureOptions(options);
    const schema::LogTableNames names = schema::LogTableNames::For(options.log_table);
    Database db = Database::OpenExisting(options.db_path);
    internal::CheckLogTablesAreOurs(db, names);
    std::vector<std::string> tables;
    if (options.tables.empty()) {
      tables = internal::WatchedTables(db, names);
    } else {
      for (const schema::TableSchema& table : internal::ReadTables(db, options.tables, names)) {
        tables.push_back(table.name);
      }
    }

    internal::ApplyPragmas(db, pragmas);
    internal::WriteTransaction transaction(db);
    for (const std::string& table : tables) internal::DropTriggers(db, table, names);
    if (internal::WatchedTables(db, names).empty() && internal::TableExists(db, names.log)) {
      const int64_t backlog = db.QueryInt("SELECT count(*) FROM " + schema::QuoteIdentifier(names.log) + " WHERE " +
                                          schema::UndeliveredCondition(names));
      if (backlog > 0 && !teardown.discard_undelivered) {
        throw InvalidInput("the log " + names.log + " still holds " + std::to_string(backlog) +
                           " undelivered changes; drain them with sqlite-cdc first, or pass --force to discard them");
      }
      db.Execute(schema::DropLogTablesSql(names));
    }
    transaction.Commit();
    return Status::Ok();
  });
}

}  // namespace sqlite_cdc
