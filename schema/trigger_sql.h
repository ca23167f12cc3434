#pragma once

#include <string>
#include <vector>

#include "schema/log_table_sql.h"
#include "schema/table_schema.h"

namespace sqlite_cdc::schema {

struct TriggerOptions {
  LogTableNames names = LogTableNames::For(kDefaultLogTable);
  bool blobs = false;           // include BLOB-declared columns as uppercase hex
  bool subsecond = true;        // millisecond timestamps; false gives whole seconds
  bool keep_unchanged_updates = false;
};

struct TriggerSql {
  std::string name;        // as stored in sqlite_master.name
  std::string create_sql;  // exactly the text sqlite_master.sql holds once it is created
};

enum class TriggerEvent { kInsert, kUpdate, kDelete };

// "<table>__cdc_insert" and so on.
std::string TriggerName(const std::string& table, TriggerEvent event);

// True for names setup may have given a trigger (any table): used to find stale triggers that a
// RENAME TABLE left behind under the old name.
bool LooksLikeCdcTriggerName(const std::string& name);

// The AFTER INSERT, AFTER UPDATE and AFTER DELETE triggers for one table, in that order.
// An UPDATE that changes the key is logged as a DELETE of the old key and an INSERT of the new one,
// so that consumers keyed by row (Kafka partitions, compacted topics, restore) see both rows.
std::vector<TriggerSql> GenerateTriggers(const TableSchema& table, const TriggerOptions& options);

std::string DropTriggerSql(const std::string& trigger_name);

// The UTC timestamp expression: RFC 3339 with milliseconds, or whole seconds. strftime's %f works on
// every SQLite version, unlike datetime('now','subsec') which is NULL before 3.42.
std::string TimestampExpression(bool subsecond);

}  // namespace sqlite_cdc::schema
