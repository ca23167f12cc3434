#pragma once

#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace sqlite_cdc::sinks {

// A failure talking to PostgreSQL. `transient`: worth a retry (the server cannot be reached or is
// restarting, a serialization failure, a deadlock, too many connections); otherwise it needs a
// person (authentication, a missing privilege or schema, a value the column's type refuses). The
// message is libpq's first line: never a password (libpq does not repeat one).
class PgError : public std::runtime_error {
 public:
  PgError(const std::string& message, bool transient, std::string sqlstate = "")
      : std::runtime_error(message), transient_(transient), sqlstate_(std::move(sqlstate)) {}
  bool transient() const { return transient_; }
  const std::string& sqlstate() const { return sqlstate_; }  // empty when the server sent none

 private:
  bool transient_;
  std::string sqlstate_;
};

// True for the SQLSTATEs that a retry may get past (class 08, 40001, 40P01, 53xxx, 57P0x, and
// 25006 read-only after a failover, 55P03 lock_timeout, 57014 a canceled statement).
bool IsTransientSqlState(const std::string& sqlstate);

struct PgResultFree {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgResult = std::unique_ptr<PGresult, PgResultFree>;

// A text parameter of a statement; nullopt is SQL NULL.
using PgParam = std::optional<std::string>;

// One libpq connection; closed by the destructor. Every call throws PgError on failure.
class PgConnection {
 public:
  // `password` empty: libpq's own sources (PGPASSWORD, ~/.pgpass). Client encoding UTF8, and
  // extra_float_digits 1 (shortest exact doubles, whatever the server's default).
  static std::unique_ptr<PgConnection> Connect(const std::string& conninfo, const std::string& password);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs statements without parameters.
  void Execute(const std::string& sql);
  // `text` as a string literal for a statement that takes no parameters (DDL).
  std::string Literal(const std::string& text);
  // Runs one statement with text parameters; returns its result (rows or none).
  PgResult Query(const std::string& sql, const std::vector<PgParam>& params = {});
  // COPY ... FROM STDIN with `data` in COPY's text format.
  void CopyIn(const std::string& copy_sql, const std::string& data);
  // False once the connection broke (the server went away): it cannot be used again.
  bool Usable() const;
  // True while a transaction is open on the server, valid or aborted by an error.
  bool InTransaction() const;
  // COMMIT, checked: the server answers an aborted transaction's COMMIT with ROLLBACK, not an error.
  void Commit();

 private:
  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  PgResult Checked(PGresult* result);
  [[noreturn]] void Fail(const PGresult* result);

  PGconn* conn_;
};

}  // namespace sqlite_cdc::sinks
