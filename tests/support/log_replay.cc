#include "support/log_replay.h"

#include "catalog.h"
#include "database.h"
#include "schema/bootstrap_sql.h"

namespace sqlite_cdc::testing {

std::string LogReplay::Apply(AppDb& db, const std::string& table) {
  for (const LogRow& row : ReadLog(db)) {
    if (row.table != table) continue;
    const std::string where = " at log id " + std::to_string(row.id) + " key " + row.key.value_or("null");
    const auto held = rows_.find(row.key.value_or(""));
    if (row.operation == "INSERT") {
      if (held != rows_.end()) return "INSERT of a key already held" + where;
      rows_[*row.key] = row.after.value_or("");
    } else if (row.operation == "UPDATE" || row.operation == "DELETE") {
      if (held == rows_.end()) return row.operation + " of a key not held" + where;
      if (held->second != row.before.value_or("")) {
        return row.operation + " whose before image " + row.before.value_or("null") + " is not the held " +
               held->second + where;
      }
      if (row.operation == "UPDATE") {
        held->second = row.after.value_or("");
      } else {
        rows_.erase(held);
      }
    } else {
      return "unknown operation " + row.operation + where;
    }
  }
  return "";
}

std::map<std::string, std::string> ImagedRows(AppDb& db, const std::string& table, bool blobs) {
  internal::Database reader = internal::Database::OpenExisting(std::string(sqlite3_db_filename(db.handle(), "main")));
  std::map<std::string, std::string> rows;
  for (const Row& row : db.Rows(schema::SnapshotSelectSql(internal::ReadTable(reader, table), blobs))) {
    rows[row[0].value_or("")] = row[1].value_or("");
  }
  return rows;
}

}  // namespace sqlite_cdc::testing
