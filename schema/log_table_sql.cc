#include "schema/log_table_sql.h"

#include "schema/identifier.h"

namespace sqlite_cdc::schema {

LogTableNames LogTableNames::For(const std::string& log_table) {
  return LogTableNames{log_table, log_table + "_state", log_table + "_evicted", log_table + "_config"};
}

std::string CreateLogTableSql(const LogTableNames& names) {
  return "CREATE TABLE IF NOT EXISTS " + QuoteIdentifier(names.log) +
         " (id INTEGER PRIMARY KEY, timestamp TEXT NOT NULL, tablename TEXT NOT NULL,"
         " operation TEXT NOT NULL, key TEXT, before TEXT, after TEXT)";
}

std::string CreateStateTableSql(const LogTableNames& names) {
  return "CREATE TABLE IF NOT EXISTS " + QuoteIdentifier(names.state) +
         " (singleton INTEGER PRIMARY KEY CHECK (singleton = 1), last_deleted_id INTEGER NOT NULL)";
}

std::string CreateEvictedTableSql(const LogTableNames& names) {
  return "CREATE TABLE IF NOT EXISTS " + QuoteIdentifier(names.evicted) +
         " (n INTEGER PRIMARY KEY, tablename TEXT NOT NULL, rid INTEGER, key TEXT, before TEXT)";
}

std::string CreateConfigTableSql(const LogTableNames& names) {
  return "CREATE TABLE IF NOT EXISTS " + QuoteIdentifier(names.config) +
         " (kind TEXT NOT NULL, name TEXT NOT NULL, value TEXT, PRIMARY KEY (kind, name)) WITHOUT ROWID";
}

std::string DropLogTablesSql(const LogTableNames& names) {
  return "DROP TABLE IF EXISTS " + QuoteIdentifier(names.log) + "; DROP TABLE IF EXISTS " +
         QuoteIdentifier(names.state) + "; DROP TABLE IF EXISTS " + QuoteIdentifier(names.evicted) +
         "; DROP TABLE IF EXISTS " + QuoteIdentifier(names.config) + ";";
}

std::string WatermarkExpression(const LogTableNames& names) {
  return "(SELECT coalesce(max(last_deleted_id), 0) FROM " + QuoteIdentifier(names.state) + ")";
}

std::string UndeliveredCondition(const LogTableNames& names) { return "id > " + WatermarkExpression(names); }
std::string LastLoggedIdSql(const LogTableNames& names, const std::string& schema_prefix) {
  return "SELECT coalesce((SELECT max(id) FROM " + schema_prefix + QuoteIdentifier(names.log) +
         "), (SELECT last_deleted_id FROM " + schema_prefix + QuoteIdentifier(names.state) + "), 0)";
}

std::string DeleteAcknowledgedSql(const LogTableNames& names) {
  const std::string log = QuoteIdentifier(names.log);
  return "DELETE FROM " + log + " WHERE id <= ?1 AND id < (SELECT max(id) FROM " + log + ")";
}

std::string RememberLastDeletedSql(const LogTableNames& names) {
  return "INSERT INTO " + QuoteIdentifier(names.state) +
         " (singleton, last_deleted_id) VALUES (1, ?1) ON CONFLICT (singleton) DO UPDATE SET"
         " last_deleted_id = max(last_deleted_id, excluded.last_deleted_id)";
}

namespace {

// On the state table's row: a watermark above 0 and above every id in the log (an empty log included).
std::string WatermarkAboveTheLog(const LogTableNames& names) {
  return "last_deleted_id > 0 AND last_deleted_id > (SELECT coalesce(max(id), 0) FROM " + QuoteIdentifier(names.log) +
         ")";
}

}  // namespace

std::string RestoreHighWaterRowSql(const LogTableNames& names) {
  return "INSERT INTO " + QuoteIdentifier(names.log) + " (id, timestamp, tablename, operation) SELECT " +
         "last_deleted_id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), '', 'MARK' FROM " + QuoteIdentifier(names.state) +
         " WHERE " + WatermarkAboveTheLog(names);
}

std::string HighWaterRowMissingSql(const LogTableNames& names) {
  return "SELECT count(*) > 0 FROM " + QuoteIdentifier(names.state) + " WHERE " + WatermarkAboveTheLog(names);
}

}  // namespace sqlite_cdc::schema
