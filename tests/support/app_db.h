#pragma once

#include <sqlite3.h>

#include <optional>
#include <string>
#include <vector>

namespace sqlite_cdc::testing {

using Row = std::vector<std::optional<std::string>>;

// The application's side: a plain SQLite connection that knows nothing of sqlite-cdc.
class AppDb {
 public:
  explicit AppDb(const std::string& path);
  AppDb(const AppDb&) = delete;
  AppDb& operator=(const AppDb&) = delete;
  ~AppDb();

  // Runs SQL; throws std::runtime_error with SQLite's message on failure.
  void Exec(const std::string& sql);
  // Runs SQL and returns SQLite's error message, or "" on success.
  std::string TryExec(const std::string& sql);
  // Every row as text (NULL as nullopt).
  std::vector<Row> Rows(const std::string& sql);
  std::string Text(const std::string& sql);
  long long Int(const std::string& sql);
  sqlite3* handle() { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

// The undelivered log rows (above the watermark) as the triggers wrote them, in id order.
struct LogRow {
  long long id;
  std::string timestamp;
  std::string table;
  std::string operation;
  std::optional<std::string> key;
  std::optional<std::string> before;
  std::optional<std::string> after;
};
std::vector<LogRow> ReadLog(AppDb& db, const std::string& log_table = "__cdc_log");

// How many changes the log holds that no output has accepted yet.
long long Backlog(AppDb& db, const std::string& log_table = "__cdc_log");

// The schema as SQLite holds it, for before/after comparisons.
std::vector<Row> SchemaSnapshot(AppDb& db);

// The names of every trigger in the database, sorted.
std::vector<std::string> TriggerNames(AppDb& db);

}  // namespace sqlite_cdc::testing
