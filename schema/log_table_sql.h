#pragma once

#include <string>

namespace sqlite_cdc::schema {

inline constexpr const char* kDefaultLogTable = "__cdc_log";

// The names of what setup creates besides triggers. The state table holds the highest id ever
// removed from the log, so that ids are never reused once the log has been drained empty.
struct LogTableNames {
  std::string log;
  std::string state;

  static LogTableNames For(const std::string& log_table);
};

std::string CreateLogTableSql(const LogTableNames& names);
std::string CreateStateTableSql(const LogTableNames& names);
std::string DropLogTablesSql(const LogTableNames& names);

// The expression of the next log id, evaluated inside the writer's transaction. A plain INTEGER
// PRIMARY KEY would restart at 1 once the log is empty; AUTOINCREMENT avoids that but writes
// sqlite_sequence on every change. Both subqueries are single b-tree seeks, and the state table is
// read only when the log is empty.
std::string NextLogIdExpression(const LogTableNames& names);

// One row, one column: the id of the newest change ever logged (the highest in the log, else the
// last one delivered and removed, else 0): the position a snapshot or a schema taken now follows.
// The triggers number the next change one above it. `schema_prefix` ("main.") qualifies both tables.
std::string LastLoggedIdSql(const LogTableNames& names, const std::string& schema_prefix = "");

// Statements the drain runs after a batch was acknowledged: delete it and remember its last id.
// Parameter 1 is the last acknowledged id.
std::string DeleteAcknowledgedSql(const LogTableNames& names);
std::string RememberLastDeletedSql(const LogTableNames& names);

// The columns of the log table, in order; used to tell our log table from a user table of that name.
inline constexpr const char* kLogColumns[] = {"id", "timestamp", "tablename", "operation", "key", "before", "after"};

}  // namespace sqlite_cdc::schema
