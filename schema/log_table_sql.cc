#include "schema/log_table_sql.h"

#include "schema/identifier.h"

namespace sqlite_cdc::schema {

LogTableNames LogTableNames::For(const std::string& log_table) {
  return LogTableNames{log_table, log_table + "_state"};
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

std::string DropLogTablesSql(const LogTableNames& names) {
  return "DROP TABLE IF EXISTS " + QuoteIdentifier(names.log) + "; DROP TABLE IF EXISTS " +
         QuoteIdentifier(names.state) + ";";
}

std::string NextLogIdExpression(const LogTableNames& names) {
  return "coalesce((SELECT max(id) FROM " + QuoteIdentifier(names.log) +
         "), (SELECT last_deleted_id FROM " + QuoteIdentifier(names.state) + "), 0) + 1";
}

std::string LastLoggedIdSql(const LogTableNames& names, const std::string& schema_prefix) {
  return "SELECT coalesce((SELECT max(id) FROM " + schema_prefix + QuoteIdentifier(names.log) +
         "), (SELECT last_deleted_id FROM " + schema_prefix + QuoteIdentifier(names.state) + "), 0)";
}

std::string DeleteAcknowledgedSql(const LogTableNames& names) {
  return "DELETE FROM " + QuoteIdentifier(names.log) + " WHERE id <= ?1";
}

std::string RememberLastDeletedSql(const LogTableNames& names) {
  return "INSERT INTO " + QuoteIdentifier(names.state) +
         " (singleton, last_deleted_id) VALUES (1, ?1) ON CONFLICT (singleton) DO UPDATE SET"
         " last_deleted_id = max(last_deleted_id, excluded.last_deleted_id)";
}

}  // namespace sqlite_cdc::schema
