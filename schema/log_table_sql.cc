#include "schema/log_table_sql.h"

#include "schema/identifier.h"

namespace sqlite_cdc::schema {

LogTableNames LogTableNames::For(const std::string& log_table) {
  return LogTableNames{log_table, log_table + "_state", log_table + "_config"};
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

std::string CreateConfigTableSql(const LogTableNames& names) {
  return "CREATE TABLE IF NOT EXISTS " + QuoteIdentifier(names.config) +
         " (kind TEXT NOT NULL, name TEXT NOT NULL, value TEXT, PRIMARY KEY (kind, name)) WITHOUT ROWID";
}

std::string DropLogTablesSql(const LogTableNames& names) {
  return "DROP TABLE IF EXISTS " + QuoteIdentifier(names.log) + "; DROP TABLE IF EXISTS " +
         QuoteIdentifier(names.state) + "; DROP TABLE IF EXISTS " + QuoteIdentifier(names.config) + ";";
}

std::string NextLogIdExpression(const LogTableNames& names) {
  return "coalesce((SELECT max(id) FROM " + QuoteIdentifier(names.log) +
         "), (SELECT last_deleted_id FROM " + QuoteIdentifier(names.state) + "), 0) + 1";
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
