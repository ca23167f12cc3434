#pragma once

#include <string>
#include <vector>

#include "schema/log_table_sql.h"
#include "schema/table_schema.h"

namespace sqlite_cdc::schema {

struct TriggerOptions {
  LogTableNames names = LogTableNames::For(kDefaultLogTable);
  bool blobs = false;                   // include BLOB-declared columns as uppercase hex
  bool subsecond = true;                // millisecond timestamps; false gives whole seconds
  bool keep_unchanged_updates = false;  // log UPDATEs that change neither the image nor the key
};

struct TriggerSql {
  std::string name;        // as stored in sqlite_master.name
  std::string create_sql;  // exactly the text sqlite_master.sql holds once it is created
  bool before = false;     // a BEFORE trigger; the others are AFTER triggers
};

// What each trigger setup installs on a table logs:
// - kInsert (AFTER INSERT): the DELETEs of the rows an INSERT OR REPLACE evicted, then the INSERT;
// - kEvict (BEFORE INSERT, only when the new row conflicts on the key or a unique index): keeps the
//   images of the rows it may evict in the evicted table (SQLite fires no DELETE trigger for them);
// - kUpdate (AFTER UPDATE keeping the key): the UPDATE, unless neither image nor key changed;
// - kRekey (AFTER UPDATE changing the key): the DELETEs of the rows it evicted, then a DELETE of the
//   old key and an INSERT of the new one, so that consumers keyed by row (Kafka partitions,
//   compacted topics, restore) see both rows;
// - kDelete (AFTER DELETE): the DELETE;
// - kStashUpdate (BEFORE UPDATE, only when the new row conflicts on the key or a unique index whose
//   columns it changes): keeps the images of the rows an UPDATE OR REPLACE (or an UPDATE under a
//   constraint declared ON CONFLICT REPLACE) may evict;
// - kUpdateEvicted (AFTER UPDATE, only when rows were stashed): the DELETEs of the evicted ones.
// kEvict, kStashUpdate and kUpdateEvicted are left out where a BEFORE trigger would change what
// the application's writes do (TableSchema::BeforeInsertTriggerChangesOutcomes).
enum class TriggerEvent { kInsert, kUpdate, kDelete, kRekey, kEvict, kStashUpdate, kUpdateEvicted };

// "<table>__cdc_insert" and so on.
std::string TriggerName(const std::string& table, TriggerEvent event);

// True for names setup may have given a trigger (any table): used to find stale triggers that a
// RENAME TABLE left behind under the old name.
bool LooksLikeCdcTriggerName(const std::string& name);

// Every trigger of one table, in TriggerEvent order. Each statement in them is an INSERT ... VALUES
// or reads only the evicted table: an INSERT whose SELECT reads the log would be materialised into
// a temporary table on every row.
std::vector<TriggerSql> GenerateTriggers(const TableSchema& table, const TriggerOptions& options);

std::string DropTriggerSql(const std::string& trigger_name);

// The UTC timestamp expression: RFC 3339 with milliseconds, or whole seconds. strftime's %f works on
// every SQLite version, unlike datetime('now','subsec') which is NULL before 3.42.
std::string TimestampExpression(bool subsecond);

}  // namespace sqlite_cdc::schema
