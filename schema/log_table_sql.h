#pragma once

#include <string>

namespace sqlite_cdc::schema {

inline constexpr const char* kDefaultLogTable = "__cdc_log";

// The names of what setup creates besides triggers.
// - state: the highest log id delivered and acknowledged (the delivery watermark).
// - evicted: a scratch table where the BEFORE INSERT trigger keeps the images of the rows an
//   INSERT OR REPLACE is about to evict, until the AFTER INSERT trigger logs their DELETEs.
// - config: what setup was asked for (the watched tables and the capture options), so that later
//   commands need no capture flags and a table that lost its triggers is still known.
struct LogTableNames {
  std::string log;
  std::string state;
  std::string evicted;
  std::string config;

  static LogTableNames For(const std::string& log_table);
};

std::string CreateLogTableSql(const LogTableNames& names);
std::string CreateStateTableSql(const LogTableNames& names);
std::string CreateEvictedTableSql(const LogTableNames& names);
// One row per setting: (kind 'option', name, value) for a capture option, (kind 'table', name,
// NULL) for a watched table. A persistent format: databases set up by one version are read by the next.
std::string CreateConfigTableSql(const LogTableNames& names);
std::string DropLogTablesSql(const LogTableNames& names);

// Log ids are SQLite's own INTEGER PRIMARY KEY allocation (the highest id + 1), which never reuses
// an id as long as the log is never emptied: the engine always leaves the highest acknowledged row
// in place (the high-water row) and records the watermark in the state table. So the triggers
// insert without an id, and nothing in them reads the log.

// An SQL expression of the watermark: every id at or below it has been delivered.
std::string WatermarkExpression(const LogTableNames& names);

// The condition on the log's `id` of changes not delivered yet.
std::string UndeliveredCondition(const LogTableNames& names);

// Statements the drain runs after a batch was acknowledged, parameter 1 being the last
// acknowledged id: delete what was delivered but the highest row of the log, and raise the watermark.
// One row, one column: the id of the newest change ever logged (the highest in the log, else the
// last one delivered and removed, else 0): the position a snapshot or a schema taken now follows.
// The triggers number the next change one above it. `schema_prefix` ("main.") qualifies both tables.
std::string LastLoggedIdSql(const LogTableNames& names, const std::string& schema_prefix = "");

// Statements the drain runs after a batch was acknowledged: delete it and remember its last id.
// Parameter 1 is the last acknowledged id.
std::string DeleteAcknowledgedSql(const LogTableNames& names);
std::string RememberLastDeletedSql(const LogTableNames& names);

// Puts back a high-water row when the log is empty but the watermark is not 0 (a log emptied by
// an older version, or by hand), so that the next id is above the watermark. It is an
// already-delivered row, never read: tablename '', operation 'MARK'. Idempotent.
std::string RestoreHighWaterRowSql(const LogTableNames& names);
// One row, one column: 1 when RestoreHighWaterRowSql would insert (read first: an insert of no row
// still takes the write lock), else 0.
std::string HighWaterRowMissingSql(const LogTableNames& names);

// The columns of the log table, in order; used to tell our log table from a user table of that name.
inline constexpr const char* kLogColumns[] = {"id", "timestamp", "tablename", "operation", "key", "before", "after"};
inline constexpr const char* kConfigColumns[] = {"kind", "name", "value"};

}  // namespace sqlite_cdc::schema
