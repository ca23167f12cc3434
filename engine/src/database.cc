#include "database.h"

#include <sys/stat.h>

namespace sqlite_cdc::internal {

Database Database::Open(const std::string& path, int flags) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  Database owner(db);
  if (rc != SQLITE_OK) {
    throw DatabaseError("open database " + path + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)), rc);
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, 5000);
  return owner;
}

Database Database::OpenExisting(const std::string& path) { return OpenExistingFile(path, SQLITE_OPEN_READWRITE); }

Database Database::OpenReadOnly(const std::string& path) { return OpenExistingFile(path, SQLITE_OPEN_READONLY); }

Database Database::OpenExistingFile(const std::string& path, int flags) {
  struct stat info {};
  if (path.empty() || ::stat(path.c_str(), &info) != 0) {
    throw NotFound("database file not found: " + path);
  }
  if (!S_ISREG(info.st_mode)) throw InvalidInput("not a regular file: " + path);
  Database db = Open(path, flags);
  // The header is read lazily; ask for the schema now so that a non-database file fails here.
  const int rc = sqlite3_exec(db.db_, "SELECT count(*) FROM sqlite_schema", nullptr, nullptr, nullptr);
  if (rc == SQLITE_NOTADB) throw InvalidInput("not an SQLite database: " + path);
  if (rc != SQLITE_OK) db.Fail("open database " + path);
  return db;
}

Database Database::OpenOrCreate(const std::string& path) {
  return Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    if (db_) sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

Database::~Database() {
  if (db_) sqlite3_close_v2(db_);
}

void Database::Fail(std::string_view context) const {
  throw DatabaseError(std::string(context) + ": " + sqlite3_errmsg(db_), sqlite3_extended_errcode(db_));
}

void Database::Execute(std::string_view sql) {
  const std::string text(sql);
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) Fail("execute");
}

Statement Database::Prepare(std::string_view sql) { return Statement(*this, sql); }

int64_t Database::QueryInt(std::string_view sql) { return Statement(*this, sql).QueryInt(); }

std::string Database::QueryText(std::string_view sql) {
  Statement statement(*this, sql);
  return statement.Step() ? std::string(statement.Text(0)) : std::string();
}

Statement::Statement(Database& db, std::string_view sql) : db_(&db) {
  if (sqlite3_prepare_v3(db.handle(), sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt_,
                         nullptr) != SQLITE_OK) {
    db.Fail("prepare");
  }
}

Statement::~Statement() {
  if (stmt_) sqlite3_finalize(stmt_);
}

Statement& Statement::Bind(int index, int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) db_->Fail("bind");
  return *this;
}

Statement& Statement::Bind(int index, std::string_view text) {
  if (sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT) != SQLITE_OK) {
    db_->Fail("bind");
  }
  return *this;
}

Statement& Statement::BindValue(int index, const sqlite3_value* value) {
  if (sqlite3_bind_value(stmt_, index, value) != SQLITE_OK) db_->Fail("bind");
  return *this;
}

bool Statement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  const std::string message = sqlite3_errmsg(db_->handle());
  const int code = sqlite3_extended_errcode(db_->handle());
  sqlite3_reset(stmt_);
  throw DatabaseError("step: " + message, code);
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int64_t Statement::QueryInt() {
  Reset();
  const int64_t value = Step() ? Int(0) : 0;
  Reset();
  return value;
}

std::string_view Statement::Text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  return text ? std::string_view(text, sqlite3_column_bytes(stmt_, column)) : std::string_view();
}

WriteTransaction::WriteTransaction(Database& db) : db_(db) { db_.Execute("BEGIN IMMEDIATE"); }

WriteTransaction::~WriteTransaction() {
  if (open_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void WriteTransaction::Commit() {
  db_.Execute("COMMIT");
  open_ = false;
}

Savepoint::Savepoint(Database& db) : db_(db) { db_.Execute("SAVEPOINT cdc_batch"); }

Savepoint::~Savepoint() {
  if (open_ && !sqlite3_get_autocommit(db_.handle())) {
    sqlite3_exec(db_.handle(), "ROLLBACK TO cdc_batch", nullptr, nullptr, nullptr);
    sqlite3_exec(db_.handle(), "RELEASE cdc_batch", nullptr, nullptr, nullptr);
  }
}

void Savepoint::Release() {
  db_.Execute("RELEASE cdc_batch");
  open_ = false;
}

ReadTransaction::ReadTransaction(Database& db) : db_(db) {
  db_.Execute("BEGIN DEFERRED");
  // A deferred transaction takes its snapshot at the first read; take it now.
  db_.QueryInt("SELECT count(*) FROM sqlite_schema");
}

ReadTransaction::~ReadTransaction() {
  if (open_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void ReadTransaction::End() {
  db_.Execute("COMMIT");
  open_ = false;
}

}  // namespace sqlite_cdc::internal
