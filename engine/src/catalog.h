#pragma once

#include <optional>
#include <string>
#include <vector>

#include "database.h"
#include "schema/log_table_sql.h"
#include "schema/table_schema.h"
#include "sqlite_cdc/watched_schema.h"

namespace sqlite_cdc::internal {

// Reads what schema/ needs from a live database. Throws InvalidInput for a name that is not an
// ordinary table of the main schema (missing, a view, a virtual or shadow table).
schema::TableSchema ReadTable(Database& db, const std::string& name);

// The table as archives store it: its CREATE statement, columns and key.
TableDefinition DefineTable(Database& db, const schema::TableSchema& table);

// Every ordinary table of the main schema but SQLite's own and the log tables, in name order.
std::vector<std::string> UserTables(Database& db, const schema::LogTableNames& names);

// Tables that have at least one trigger feeding this log, in name order.
std::vector<std::string> WatchedTables(Database& db, const schema::LogTableNames& names);

// Triggers attached to `table` whose names setup could have made (any log), with their SQL.
struct InstalledTrigger {
  std::string name;
  std::string sql;
  int64_t created = 0;  // its sqlite_schema rowid: a later trigger has a larger one, and fires first
};
std::vector<InstalledTrigger> CdcTriggersOn(Database& db, const std::string& table);
// Every trigger on `table` (ours and the application's).
std::vector<InstalledTrigger> TriggersOn(Database& db, const std::string& table);

// True when the trigger SQL writes to this log.
bool FeedsLog(const std::string& trigger_sql, const schema::LogTableNames& names);

bool TableExists(Database& db, const std::string& name);

// Throws InvalidInput when a table of the log's or state table's name exists but is not ours.
void CheckLogTablesAreOurs(Database& db, const schema::LogTableNames& names);

}  // namespace sqlite_cdc::internal
