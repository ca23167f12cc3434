#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sinks/postgres/pg_connection.h"
#include "support/temp_dir.h"

namespace sqlite_cdc::testing {

// A PostgreSQL 15 server of its own for a test suite (Debian's postgresql-15): a cluster made with
// initdb in a temp folder owned by the `postgres` user, run by pg_ctl as that user (when the tests
// run as root, which PostgreSQL refuses; otherwise as the tests' own user), listening only on
// 127.0.0.1 on a free port (no Unix socket), stopped and removed by the destructor. Made for speed,
// not durability (fsync off): tests restart it only cleanly. Two login roles: `cdc` (trust) and
// `cdc_pw` (scram-sha-256, password kPassword); the superuser `postgres` (trust) sets up tests.
// Throws std::runtime_error, with the server's log, when it cannot be started.
class PostgresServer {
 public:
  static constexpr char kPassword[] = "pg-test-secret-4711";

  PostgresServer();
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  int port() const { return port_; }
  // postgres://USER@127.0.0.1:PORT/postgres, plus "?schema=S" when a schema is given.
  std::string Url(const std::string& user = "cdc", const std::string& schema = "") const;
  // A new schema owned by `owner`, for one test: tests share the server, never a schema.
  std::string NewSchema(const std::string& owner = "cdc");

  // Runs SQL as the superuser; the rows of the last statement, NULL as nullopt.
  using Rows = std::vector<std::vector<std::optional<std::string>>>;
  Rows Query(const std::string& sql);
  // Every row of `"schema"."table"`, ordered by all columns, one line each, values separated by
  // '|', NULL as "NULL", a header line of the column names first: a whole table as text.
  std::string Dump(const std::string& schema, const std::string& table);

  // pg_ctl stop (fast: connections are closed) and start again on the same port.
  void Stop();
  void Start();

 private:
  void PgCtl(const std::vector<std::string>& args);
  sinks::PgConnection& Superuser();

  TempDir dir_;
  std::string data_;
  int port_ = 0;
  int schemas_ = 0;
  std::unique_ptr<sinks::PgConnection> superuser_;
};

}  // namespace sqlite_cdc::testing
