#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "error.h"

namespace sqlite_cdc::internal {

class Statement;

// Owns one sqlite3 connection. Failures throw DatabaseError (or InvalidInput, NotFound at open).
class Database {
 public:
  // Opens an existing database file read-write; never creates one.
  static Database OpenExisting(const std::string& path);
  // Opens an existing database file read-only, for readers beside the engine (metrics, status):
  // nothing done through it can change the file. (On a WAL database SQLite still creates the -wal
  // and -shm files if missing, as every reader does.)
  static Database OpenReadOnly(const std::string& path);
  // Opens or creates (tests and the demo).
  static Database OpenOrCreate(const std::string& path);

  Database(Database&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  void Execute(std::string_view sql);
  Statement Prepare(std::string_view sql);
  int64_t QueryInt(std::string_view sql);
  std::string QueryText(std::string_view sql);
  sqlite3* handle() const { return db_; }
  [[noreturn]] void Fail(std::string_view context) const;

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  static Database Open(const std::string& path, int flags);
  static Database OpenExistingFile(const std::string& path, int flags);

  sqlite3* db_ = nullptr;
};

// Owns one prepared statement. Columns and parameters are 0-based and 1-based as in SQLite.
class Statement {
 public:
  Statement(Database& db, std::string_view sql);
  Statement(Statement&& other) noexcept : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, std::string_view text);
  Statement& BindValue(int index, const sqlite3_value* value);
  // True while a row is available.
  bool Step();
  void Reset();
  // Runs the statement from its start and returns its first row's first column as an integer (0
  // when there is no row), then resets it, so that no transaction stays open.
  int64_t QueryInt();

  int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }
  std::string_view Text(int column) const;
  bool IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  sqlite3_value* Value(int column) const { return sqlite3_column_value(stmt_, column); }
  sqlite3_stmt* handle() const { return stmt_; }

 private:
  Database* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// A write transaction that rolls back in its destructor unless committed. BEGIN IMMEDIATE takes the
// write lock up front, so a check made inside it still holds at COMMIT.
class WriteTransaction {
 public:
  explicit WriteTransaction(Database& db);
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;
  ~WriteTransaction();
  void Commit();

 private:
  Database& db_;
  bool open_ = true;
};

// A savepoint inside an open transaction: its work is undone in the destructor unless released,
// leaving the enclosing transaction as it was before it (when SQLite has not ended that one itself:
// after some errors, a full disk for one, it rolls back the whole transaction).
class Savepoint {
 public:
  explicit Savepoint(Database& db);
  Savepoint(const Savepoint&) = delete;
  Savepoint& operator=(const Savepoint&) = delete;
  ~Savepoint();
  void Release();

 private:
  Database& db_;
  bool open_ = true;
};

// A read transaction: every read inside sees one snapshot of the database.
class ReadTransaction {
 public:
  explicit ReadTransaction(Database& db);
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;
  ~ReadTransaction();
  void End();

 private:
  Database& db_;
  bool open_ = true;
};

}  // namespace sqlite_cdc::internal
