#pragma once

#include <string>

namespace sqlite_cdc::schema {

inline constexpr const char* kDefaultLogTable = "__cdc_log";

// The names of what setup creates besides triggers. The state table holds the highest id ever
// removed from the log, so that ids are never reused once the log has been drained empty. The
// config table holds what setup was asked for (the watched tables and the capture options), so that
// later commands need no capture flags and a table that lost its triggers is still known.
struct LogTableNames {
  std::string log;
  std::string state;
  std::string config;

  static LogTableNames For(const std::string& log_table);
};

std::string CreateLogTableSql(const LogTableNames& names);
std::string CreateStateTableSql(const LogTableNames& names);
// One row per setting: (kind 'option', name, value) for a capture option, (kind 'table', name,
// NULL) for a watched table. A persistent format: databases set up by one version are read by the next.
std::string CreateConfigTableSql(const LogTableNames& names);
std::string DropLogTablesSql(const LogTableNames& names);

// The expression of the next log id, evaluated inside the writer's transaction. A plain INTEGER
// PRIMARY KEY would restart at 1 once the log is empty; AUTOINCREMENT avoids that but writes
// sqlite_sequence on every change. Both subqueries are single b-tree seeks, and the state table is
// read only when the log is empty.
std::string NextLogIdExpression(const LogTableNames& names);

// Statements the drain runs after a batch was acknowledged: delete it and remember its last id.
// Parameter 1 is the last acknowledged id.
std::string DeleteAcknowledgedSql(const LogTableNames& names);
std::string RememberLastDeletedSql(const LogTableNames& names);

// The columns of the log table, in order; used to tell our log table from a user table of that name.
inline constexpr const char* kLogColumns[] = {"id", "timestamp", "tablename", "operation", "key", "before", "after"};
inline constexpr const char* kConfigColumns[] = {"kind", "name", "value"};

}  // namespace sqlite_cdc::schema
