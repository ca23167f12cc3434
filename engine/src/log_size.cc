#include "log_size.h"

#include <optional>

#include "schema/identifier.h"

namespace sqlite_cdc::internal {
namespace {

// Prepares the dbstat query, or nothing when this SQLite has no dbstat virtual table.
std::optional<Statement> PrepareDbstat(Database& db) {
  try {
    return Statement(db, "SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name = ?1 COLLATE NOCASE");
  } catch (const DatabaseError&) {
    return std::nullopt;
  }
}

}  // namespace

TableBytes LogTableBytes(Database& db, const schema::LogTableNames& names) {
  std::optional<Statement> dbstat = PrepareDbstat(db);
  if (!dbstat) return {EstimateLogBytes(db, names), false};
  dbstat->Bind(1, names.log);
  return {dbstat->Step() ? dbstat->Int(0) : 0, true};
}

int64_t EstimateLogBytes(Database& db, const schema::LogTableNames& names) {
  // CAST AS BLOB: length() of a text counts characters, of a blob bytes.
  return db.QueryInt(
      "SELECT coalesce(sum(8 + length(CAST(timestamp AS BLOB)) + length(CAST(tablename AS BLOB)) + "
      "length(CAST(operation AS BLOB)) + coalesce(length(CAST(key AS BLOB)), 0) + "
      "coalesce(length(CAST(before AS BLOB)), 0) + coalesce(length(CAST(after AS BLOB)), 0)), 0) FROM " +
      schema::QuoteIdentifier(names.log));
}

}  // namespace sqlite_cdc::internal
