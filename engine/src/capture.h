#pragma once

#include <string>
#include <vector>

#include "database.h"
#include "db_params.h"
#include "schema/table_schema.h"
#include "schema/trigger_sql.h"
#include "sqlite_cdc/options.h"

namespace sqlite_cdc::internal {

schema::TriggerOptions TriggerOptionsFor(const CaptureOptions& options);

// Validates the log table name and the connection parameters; throws InvalidInput. Touches nothing.
std::vector<Pragma> ValidateCaptureOptions(const CaptureOptions& options);

// Applies connection parameters to an open database.
void ApplyPragmas(Database& db, const std::vector<Pragma>& pragmas);

// Reads the named tables (canonical names, in the order given, duplicates dropped). Throws
// InvalidInput for a name that is not a table or that is one of the log's own tables.
std::vector<schema::TableSchema> ReadTables(Database& db, const std::vector<std::string>& names,
                                            const schema::LogTableNames& log);

// Throws InvalidInput unless setup made this log in `db` (the log table exists and is ours).
void RequireSetUpLog(Database& db, const CaptureOptions& options, const schema::LogTableNames& names);

// The watched tables the engine bootstraps and checks for drift: options.tables, each of which must
// be watched by this log (InvalidInput otherwise), or every watched table when it is empty. The
// watched tables are those stored at setup (some may have lost their triggers, or be gone), or, in a
// database set up before they were stored, the tables that carry this log's triggers.
std::vector<std::string> ResolveWatchedTables(Database& db, const CaptureOptions& options,
                                              const schema::LogTableNames& names);

}  // namespace sqlite_cdc::internal
