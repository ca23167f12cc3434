#pragma once

#include <string>
#include <vector>

#include "database.h"
#include "schema/table_schema.h"
#include "schema/trigger_sql.h"

namespace sqlite_cdc::internal {

// Brings one table's installed triggers to what schema/ generates for its current columns: creates
// missing ones, replaces ones whose SQL differs, and drops stale ones (a RENAME TABLE leaves the
// triggers under the old name). Returns true if anything changed. REQUIRES: inside a write
// transaction, and no other log watches the table.
bool InstallTriggers(Database& db, const schema::TableSchema& table, const schema::TriggerOptions& options);

// True when the installed triggers are exactly what InstallTriggers would install.
bool TriggersUpToDate(Database& db, const schema::TableSchema& table, const schema::TriggerOptions& options);

// The triggers that are not ours and were created on the table after our AFTER triggers: SQLite
// fires the newest first, so what they write to the table would be logged before the change that
// fired them. InstallTriggers puts ours first again.
std::vector<std::string> TriggersFiringBeforeOurs(Database& db, const schema::TableSchema& table,
                                                  const schema::TriggerOptions& options);

// True when `table` carries at least one trigger feeding this log.
bool HasTriggers(Database& db, const std::string& table, const schema::LogTableNames& names);

// Drops every trigger on `table` that feeds this log. Returns how many.
int DropTriggers(Database& db, const std::string& table, const schema::LogTableNames& names);

}  // namespace sqlite_cdc::internal
