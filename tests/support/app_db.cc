#include "support/app_db.h"

#include <stdexcept>

namespace sqlite_cdc::testing {

AppDb::AppDb(const std::string& path) {
  if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) throw std::runtime_error(sqlite3_errmsg(db_));
  sqlite3_busy_timeout(db_, 5000);
}

AppDb::~AppDb() { sqlite3_close_v2(db_); }

void AppDb::Exec(const std::string& sql) {
  const std::string error = TryExec(sql);
  if (!error.empty()) throw std::runtime_error(error + " in: " + sql.substr(0, 200));
}

std::string AppDb::TryExec(const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) == SQLITE_OK) return "";
  std::string error = message ? message : "unknown error";
  sqlite3_free(message);
  return error;
}

std::vector<Row> AppDb::Rows(const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    throw std::runtime_error(std::string(sqlite3_errmsg(db_)) + " in: " + sql);
  }
  std::vector<Row> rows;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    Row row;
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      if (sqlite3_column_type(stmt, i) == SQLITE_NULL) {
        row.emplace_back(std::nullopt);
      } else {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
        row.emplace_back(std::string(text, sqlite3_column_bytes(stmt, i)));
      }
    }
    rows.push_back(std::move(row));
  }
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE) throw std::runtime_error(sqlite3_errmsg(db_));
  return rows;
}

std::string AppDb::Text(const std::string& sql) {
  const auto rows = Rows(sql);
  return rows.empty() || !rows[0][0] ? "" : *rows[0][0];
}

long long AppDb::Int(const std::string& sql) { return std::stoll(Text(sql).empty() ? "0" : Text(sql)); }

std::vector<LogRow> ReadLog(AppDb& db, const std::string& log_table) {
  std::vector<LogRow> log;
  // Rows at or below the watermark were delivered; the highest of them stays as the high-water row.
  const std::string watermark = db.Int("SELECT count(*) FROM sqlite_schema WHERE name = '" + log_table + "_state'")
                                    ? "(SELECT coalesce(max(last_deleted_id), 0) FROM \"" + log_table + "_state\")"
                                    : "0";
  for (const Row& row : db.Rows("SELECT id, timestamp, tablename, operation, key, before, after FROM \"" + log_table +
                                "\" WHERE id > " + watermark + " ORDER BY id")) {
    log.push_back({std::stoll(*row[0]), *row[1], *row[2], *row[3], row[4], row[5], row[6]});
  }
  return log;
}

long long Backlog(AppDb& db, const std::string& log_table) {
  return static_cast<long long>(ReadLog(db, log_table).size());
}

std::vector<Row> SchemaSnapshot(AppDb& db) {
  return db.Rows("SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name");
}

std::vector<std::string> TriggerNames(AppDb& db) {
  std::vector<std::string> names;
  for (const Row& row : db.Rows("SELECT name FROM sqlite_schema WHERE type = 'trigger' ORDER BY name")) {
    names.push_back(*row[0]);
  }
  return names;
}

}  // namespace sqlite_cdc::testing
