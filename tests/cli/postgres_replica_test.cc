// `sqlite-cdc --output postgres://...` as a user runs it, against a real PostgreSQL 15: a replica
// whose tables, types and keys follow the source's, equal to it value for value (REALs bit for
// bit), that follows added and renamed columns, survives a server restart and SIGKILLs, and stops
// with one clear line where it cannot go on. A few tests drive the handler itself, as the engine
// does, where a failure must land between two of its calls.
#include "sinks/postgres/postgres_replica.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "sinks/postgres/postgres_url.h"
#include "support/app_db.h"
#include "support/captured_db.h"
#include "support/cutting_proxy.h"
#include "support/mixed_tables.h"
#include "support/postgres_server.h"
#include "support/process.h"

namespace sqlite_cdc {
namespace {

using testing::AppDb;
using testing::BackgroundProcess;
using testing::PostgresServer;
using testing::ReadFile;
using testing::RunProcess;
using testing::WaitUntil;

// The shortest text that reads back as the same double: two reals print alike iff bit for bit equal
// (but for NaN, which SQLite does not store).
std::string Shortest(double value) {
  char buffer[64];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, end);
}

class PostgresReplicaTest : public testing::CapturedDbTest {
 protected:
  // One server for the suite: starting PostgreSQL takes seconds, a schema of its own per test none.
  static void SetUpTestSuite() { server_ = new PostgresServer(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  PostgresReplicaTest()
      : testing::CapturedDbTest(
            std::string(testing::kMixedTables) +
            "; CREATE TABLE \"we\"\"ird table\" (\"select\" INTEGER PRIMARY KEY, \"naïve col\" TEXT, "
            "r REAL, b BLOB, n NUMERIC, u);"
            "CREATE TABLE events (kind TEXT, payload INTEGER)"),
        schema_(server_->NewSchema()),
        url_(server_->Url("cdc", schema_)) {}

  testing::ProcessResult Cdc(std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", path_});
    return RunProcess(testing::BinaryPath("sqlite-cdc"), args);
  }

  // The rows of `sql` run on the source, as text, '|' between values; the columns listed in `reals`
  // read as doubles and printed shortest.
  std::vector<std::string> SourceRows(const std::string& sql, const std::set<int>& reals = {}) {
    sqlite3* db = nullptr;
    sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* statement = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    std::vector<std::string> rows;
    while (statement && sqlite3_step(statement) == SQLITE_ROW) {
      std::string row;
      for (int c = 0; c < sqlite3_column_count(statement); ++c) {
        row += c ? "|" : "";
        if (sqlite3_column_type(statement, c) == SQLITE_NULL) {
          row += "NULL";
        } else if (reals.count(c)) {
          row += Shortest(sqlite3_column_double(statement, c));
        } else {
          row += reinterpret_cast<const char*>(sqlite3_column_text(statement, c));
        }
      }
      rows.push_back(row);
    }
    sqlite3_finalize(statement);
    sqlite3_close(db);
    return rows;
  }

  // The same from the replica: the `reals` columns' text parsed (strtod) and printed shortest.
  std::vector<std::string> ReplicaRows(const std::string& sql, const std::set<int>& reals = {}) {
    std::vector<std::string> rows;
    for (const auto& values : server_->Query(sql)) {
      std::string row;
      for (size_t c = 0; c < values.size(); ++c) {
        row += c ? "|" : "";
        if (!values[c]) {
          row += "NULL";
        } else if (reals.count(static_cast<int>(c))) {
          row += Shortest(std::strtod(values[c]->c_str(), nullptr));
        } else {
          row += *values[c];
        }
      }
      rows.push_back(row);
    }
    return rows;
  }

  std::string Qualified(const std::string& table) const { return "\"" + schema_ + "\"." + table; }

  // The mixed writer's tables in both databases, value for value.
  void ExpectMixedTablesEqual() {
    EXPECT_EQ(ReplicaRows("SELECT id, v, balance, note FROM " + Qualified("accounts") + " ORDER BY id", {2}),
              SourceRows("SELECT id, v, balance, note FROM accounts ORDER BY id", {2}));
    EXPECT_EQ(ReplicaRows("SELECT \"order\", line, v, qty FROM " + Qualified("\"order lines\"") +
                              " ORDER BY \"order\", line COLLATE \"C\"",
                          {3}),
              SourceRows("SELECT \"order\", line, v, qty FROM \"order lines\" ORDER BY \"order\", line", {3}));
  }

  // The handler itself, as the engine drives it, started on the table `accounts` of the source.
  std::unique_ptr<sinks::PostgresReplica> StartedReplica(WatchedSchema* schema) {
    sinks::PostgresTarget target;
    EXPECT_TRUE(sinks::ParsePostgresUrl(url_, &target).ok());
    auto replica = std::make_unique<sinks::PostgresReplica>(target, "");
    SinkPosition position;
    EXPECT_EQ(replica->ReadPosition(&position).kind, HandlerResult::Kind::kSuccess);
    schema->tables = {{"accounts",
                       "CREATE TABLE accounts (id INTEGER PRIMARY KEY, v INTEGER NOT NULL, balance REAL, note TEXT)",
                       {"id", "v", "balance", "note"},
                       {"id"}}};
    EXPECT_EQ(replica->OnSchema(*schema).kind, HandlerResult::Kind::kSuccess);
    return replica;
  }

  // Change `id` of the accounts row `row`, its v set to `v`.
  static Change AccountChange(int64_t id, int64_t row, int v = 1) {
    Change change;
    change.id = id;
    change.table = "accounts";
    change.timestamp = "2026-11-30T10:00:00.000Z";
    change.key = "{\"id\":" + std::to_string(row) + "}";
    change.after =
        "{\"id\":" + std::to_string(row) + ",\"v\":" + std::to_string(v) + ",\"balance\":0.5,\"note\":\"a\"}";
    return change;
  }

  long long ReplicaPosition() {
    const auto rows = server_->Query("SELECT coalesce(log_id, 0) FROM " + Qualified("__cdc_replica"));
    return rows.empty() ? 0 : std::stoll(rows[0][0].value_or("0"));
  }

  // Polls the replica's position; 0 while its table does not exist yet.
  long long PositionOrZero() {
    const auto exists = server_->Query("SELECT to_regclass('" + Qualified("__cdc_replica") + "') IS NOT NULL");
    return exists[0][0] == "t" ? ReplicaPosition() : 0;
  }

  static PostgresServer* server_;
  std::string schema_;
  std::string url_;
};

PostgresServer* PostgresReplicaTest::server_ = nullptr;

constexpr const char* kReals[] = {
    "10.0/3", "0.1+0.2", "9007199254740994.0", "4.9406564584124654e-324", "1.7976931348623157e308", "-2.5e-8"};

TEST_F(PostgresReplicaTest, ABootstrapThenChangesGiveTablesTypesKeysAndValuesAsTheSourceHas) {
  AppDb app(path_);
  for (int i = 0; i < 6; ++i) {
    app.Exec("INSERT INTO \"we\"\"ird table\" VALUES (" + std::to_string(i + 1) + ", 'a\tb\\c\nd', " + kReals[i] +
             ", x'00FF10', 12.50, 1)");
  }
  app.Exec(
      "INSERT INTO \"we\"\"ird table\" VALUES (7, NULL, NULL, NULL, NULL, NULL), (8, '', 0, x'', 'abc', 'text'), "
      "(9, 'inf', 9e999, NULL, NULL, NULL), (10, '-inf', -9e999, NULL, NULL, NULL)");
  app.Exec("INSERT INTO events VALUES ('a', 1), ('b', NULL)");
  app.Exec("INSERT INTO \"order lines\" VALUES (1, 'L1', 1, 0.5), (1, 'L2', 1, 0.25)");
  SetUpCapture(/*blobs=*/true);
  for (int i = 0; i < 6; ++i) {
    app.Exec("INSERT INTO \"we\"\"ird table\" VALUES (" + std::to_string(i + 11) + ", 'ü€😀', -(" + kReals[i] +
             "), x'CAFE', 7, 2.5)");
  }
  app.Exec("UPDATE \"we\"\"ird table\" SET \"naïve col\" = 'updated', u = NULL WHERE \"select\" = 1");
  app.Exec("DELETE FROM \"we\"\"ird table\" WHERE \"select\" = 2");
  app.Exec("UPDATE \"order lines\" SET qty = 1e-310 WHERE \"order\" = 1 AND line = 'L1'");
  app.Exec("DELETE FROM \"order lines\" WHERE line = 'L2'");
  app.Exec("INSERT INTO events VALUES ('c', 3)");
  app.Exec("DELETE FROM events WHERE kind = 'a'");
  app.Exec("UPDATE events SET payload = 4 WHERE kind = 'b'");

  const auto run = Cdc({"--bootstrap", "--drain", "--exactly-once", "--output", url_});
  ASSERT_EQ(run.exit_code, 0) << run.err;

  EXPECT_EQ(server_->Query("SELECT column_name || ' ' || data_type FROM information_schema.columns WHERE "
                           "table_schema = '" +
                           schema_ + "' AND table_name = 'we\"ird table' ORDER BY ordinal_position"),
            (PostgresServer::Rows{
                {"select bigint"}, {"naïve col text"}, {"r double precision"}, {"b bytea"}, {"n jsonb"}, {"u jsonb"}}));
  const std::string weird = Qualified("\"we\"\"ird table\"");
  EXPECT_EQ(ReplicaRows("SELECT \"select\", \"naïve col\", r, upper(encode(b, 'hex')), n::text, u::text FROM " + weird +
                            " ORDER BY 1",
                        {2}),
            SourceRows("SELECT \"select\", \"naïve col\", r, iif(b IS NULL, NULL, hex(b)), iif(n IS NULL, NULL, "
                       "json_quote(n)), iif(u IS NULL, NULL, json_quote(u)) FROM \"we\"\"ird table\" ORDER BY 1",
                       {2}))
      << "REALs bit for bit, bytes, NULLs (an empty blob is not NULL), and untyped values with their kind";
  EXPECT_EQ(server_->Query("SELECT count(*) FROM " + weird + " WHERE b IS NOT NULL AND length(b) = 0"),
            (PostgresServer::Rows{{"1"}}));
  EXPECT_EQ(ReplicaRows("SELECT _rowid, kind, payload FROM " + Qualified("events") + " ORDER BY 1"),
            SourceRows("SELECT rowid, kind, payload FROM events ORDER BY 1"))
      << "a table without a declared key is keyed by its rowid";
  EXPECT_EQ(server_->Query("SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM pg_index i, unnest(i.indkey) WITH "
                           "ORDINALITY k(attnum, n), pg_attribute a WHERE i.indrelid = '" +
                           Qualified("\"order lines\"") +
                           "'::regclass AND i.indisprimary AND a.attrelid = i.indrelid AND a.attnum = k.attnum"),
            (PostgresServer::Rows{{"order,line"}}))
      << "a composite key kept in its order";
  ExpectMixedTablesEqual();
  EXPECT_EQ(ReplicaPosition(), app.Int("SELECT max(id) FROM __cdc_log"));
  EXPECT_EQ(Backlog(), 0);
}

TEST_F(PostgresReplicaTest, WhatTheReplicaHoldsIsNotAppliedAgainAndLaterChangesFollow) {
  SetUpCapture();
  {
    AppDb app(path_);
    app.Exec("INSERT INTO accounts VALUES (1, 1, 0.5, 'a'), (2, 1, 0.25, 'b')");
    app.Exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }
  std::filesystem::copy_file(path_, dir_.File("before.db"));
  ASSERT_EQ(Cdc({"--drain", "--output", url_}).exit_code, 0);
  ASSERT_EQ(ReplicaPosition(), 2);
  // The log as a crash between the replica's commit and the deletion from the log leaves it:
  std::filesystem::copy_file(dir_.File("before.db"), path_, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::remove(path_ + "-wal");
  std::filesystem::remove(path_ + "-shm");
  server_->Query("UPDATE " + Qualified("accounts") + " SET note = 'touched in the replica' WHERE id = 1");
  AppDb(path_).Exec("UPDATE accounts SET v = 2 WHERE id = 2");
  const auto again = Cdc({"--drain", "--output", url_});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("the output holds the log up to id 2: resuming after it"), std::string::npos) << again.err;
  EXPECT_EQ(server_->Query("SELECT note FROM " + Qualified("accounts") + " WHERE id = 1"),
            (PostgresServer::Rows{{"touched in the replica"}}))
      << "the change the replica held was not applied again";
  EXPECT_EQ(server_->Query("SELECT v FROM " + Qualified("accounts") + " WHERE id = 2"), (PostgresServer::Rows{{"2"}}));
  EXPECT_EQ(Backlog(), 0);
}

TEST_F(PostgresReplicaTest, AReaderNeverSeesHalfOfASourceTransaction) {
  SetUpCapture();
  AppDb app(path_);
  app.Exec("INSERT INTO accounts VALUES (1, 0, 1000, 'a'), (2, 0, 1000, 'b')");
  auto cdc =
      StartCdcProcess({"--bootstrap", "--cdc", "--output", url_, "--batch-size", "1", "--poll-interval", "50ms"});
  ASSERT_TRUE(WaitUntil([&] { return PositionOrZero() > 0; })) << ReadFile(err_);
  std::atomic<bool> done{false};
  std::atomic<long long> reads{0}, torn{0};
  std::thread reader([&] {
    auto conn = sinks::PgConnection::Connect(server_->Url("postgres"), "");
    const std::string sql = "SELECT count(*), sum(balance)::bigint FROM " + Qualified("accounts");
    while (!done) {
      sinks::PgResult totals = conn->Query(sql);
      if (std::string(PQgetvalue(totals.get(), 0, 0)) == "2" && std::string(PQgetvalue(totals.get(), 0, 1)) != "2000") {
        ++torn;
      }
      ++reads;
    }
  });
  for (int i = 0; i < 200; ++i) {
    app.Exec(
        "BEGIN; UPDATE accounts SET balance = balance - 1, v = v + 1 WHERE id = 1; "
        "UPDATE accounts SET balance = balance + 1, v = v + 1 WHERE id = 2; COMMIT");
  }
  const long long last = app.Int("SELECT max(id) FROM __cdc_log");
  const bool caught_up = WaitUntil([&] { return ReplicaPosition() == last; });
  done = true;
  reader.join();
  cdc->Signal(SIGTERM);
  EXPECT_EQ(cdc->Wait(), 0) << ReadFile(err_);
  ASSERT_TRUE(caught_up) << ReadFile(err_);
  EXPECT_GT(reads.load(), 100);
  EXPECT_EQ(torn.load(), 0) << "of " << reads.load() << " reads";
  ExpectMixedTablesEqual();
}

TEST_F(PostgresReplicaTest, AValueItsColumnCannotHoldStopsNamingTableColumnAndKeyAndStaysInTheLog) {
  SetUpCapture();
  AppDb app(path_);
  app.Exec("INSERT INTO accounts VALUES (1, 1, 0.5, 'a')");
  ASSERT_EQ(Cdc({"--drain", "--output", url_}).exit_code, 0);
  app.Exec("INSERT INTO accounts VALUES (2, 'not a number', 0.5, 'b')");  // SQLite keeps text in INTEGER
  const auto run = Cdc({"--drain", "--output", url_});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("column v of table accounts (key {\"id\":2}"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("holds a text value, which its PostgreSQL type bigint"), std::string::npos) << run.err;
  EXPECT_EQ(Backlog(), 1) << "the change stays in the log";
  EXPECT_EQ(ReplicaPosition(), 1);
  EXPECT_EQ(server_->Query("SELECT count(*) FROM " + Qualified("accounts")), (PostgresServer::Rows{{"1"}}));
}

TEST_F(PostgresReplicaTest, ColumnsAddedAndRenamedWhileStreamingAreFollowed) {
  SetUpCapture();
  AppDb app(path_);
  auto cdc = StartCdcProcess({"--output", url_, "--poll-interval", "100ms"});
  app.Exec("INSERT INTO accounts VALUES (1, 1, 0.5, 'a')");
  ASSERT_TRUE(WaitUntil([&] { return PositionOrZero() == 1; })) << ReadFile(err_);
  app.Exec("ALTER TABLE accounts ADD COLUMN currency TEXT DEFAULT 'EUR'");
  ASSERT_EQ(RunProcess(testing::BinaryPath("sqlite-cdc-setup"), {"--db", path_, "--setup"}).exit_code, 0);
  app.Exec("INSERT INTO accounts VALUES (2, 1, 0.25, 'b', 'USD')");
  app.Exec("ALTER TABLE accounts RENAME COLUMN note TO memo");
  // Logged by the old triggers, under the old name, until setup follows the rename:
  app.Exec("UPDATE accounts SET memo = 'renamed before setup' WHERE id = 1");
  ASSERT_EQ(RunProcess(testing::BinaryPath("sqlite-cdc-setup"), {"--db", path_, "--setup"}).exit_code, 0);
  app.Exec("INSERT INTO accounts VALUES (3, 1, 0.125, 'c', 'GBP')");
  const long long last = app.Int("SELECT max(id) FROM __cdc_log");
  ASSERT_TRUE(WaitUntil([&] { return ReplicaPosition() == last; })) << ReadFile(err_);
  cdc->Signal(SIGTERM);
  EXPECT_EQ(cdc->Wait(), 0) << ReadFile(err_);
  EXPECT_EQ(ReplicaRows("SELECT id, v, balance, memo, currency FROM " + Qualified("accounts") + " ORDER BY id", {2}),
            SourceRows("SELECT id, v, balance, memo, currency FROM accounts ORDER BY id", {2}));
}

TEST_F(PostgresReplicaTest, AColumnTypeChangeItCannotFollowStopsWithTheTableNamed) {
  SetUpCapture();
  AppDb app(path_);
  app.Exec("INSERT INTO accounts VALUES (1, 1, 0.5, 'a')");
  ASSERT_EQ(Cdc({"--drain", "--output", url_}).exit_code, 0);
  server_->Query("ALTER TABLE " + Qualified("accounts") + " ALTER COLUMN note TYPE bigint USING 0");
  app.Exec("INSERT INTO accounts VALUES (2, 1, 0.5, 'b')");
  const auto run = Cdc({"--drain", "--output", url_, "--retry-attempts", "1"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("cannot follow table accounts"), std::string::npos) << run.err;
  EXPECT_EQ(Backlog(), 1) << "the change stays in the log";
}

TEST_F(PostgresReplicaTest, AServerRestartMidRunIsRetriedAndTheReplicaEndsEqual) {
  SetUpCapture();
  AppDb app(path_);
  auto cdc = StartCdcProcess({"--output", url_, "--poll-interval", "100ms", "--retry-initial-backoff", "50ms",
                              "--retry-max-backoff", "500ms", "--retry-attempts", "1000"});
  for (int i = 1; i <= 20; ++i) app.Exec("INSERT INTO accounts VALUES (" + std::to_string(i) + ", 1, 0.1, 'a')");
  ASSERT_TRUE(WaitUntil([&] { return PositionOrZero() == 20; })) << ReadFile(err_);
  server_->Stop();
  for (int i = 1; i <= 20; ++i) app.Exec("UPDATE accounts SET v = 2, balance = 1.0/3 WHERE id = " + std::to_string(i));
  app.Exec("DELETE FROM accounts WHERE id > 15");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_GT(Backlog(), 0) << "nothing leaves the log while the server is down";
  server_->Start();
  const long long last = app.Int("SELECT max(id) FROM __cdc_log");
  ASSERT_TRUE(WaitUntil([&] { return ReplicaPosition() == last && Backlog() == 0; }, 60)) << ReadFile(err_);
  cdc->Signal(SIGTERM);
  EXPECT_EQ(cdc->Wait(), 0) << ReadFile(err_);
  ExpectMixedTablesEqual();
  EXPECT_NE(ReadFile(err_).find("postgres postgres://***@127.0.0.1"), std::string::npos)
      << "the retries name the server by its redacted URL: " << ReadFile(err_);
}

// The connection breaks right after a group's COMMIT reached the server, which commits it; its answer
// never arrives. The engine sends the group again: it is read back as committed, not refused as if
// another sqlite-cdc had written the position, and the run goes on.
TEST_F(PostgresReplicaTest, ACommitWhoseAnswerWasLostIsReadBackAndTheRunGoesOn) {
  SetUpCapture();
  AppDb app(path_);
  testing::CuttingProxy proxy(server_->port());
  const std::string url = "postgres://cdc@127.0.0.1:" + std::to_string(proxy.port()) + "/postgres?schema=" + schema_;
  auto cdc = StartCdcProcess(
      {"--output", url, "--poll-interval", "100ms", "--retry-initial-backoff", "50ms", "--retry-max-backoff", "500ms"});
  for (int i = 1; i <= 10; ++i) app.Exec("INSERT INTO accounts VALUES (" + std::to_string(i) + ", 1, 0.1, 'a')");
  ASSERT_TRUE(WaitUntil([&] { return PositionOrZero() == 10; })) << ReadFile(err_);
  proxy.CutAfter(testing::kPostgresCommitMessage);
  app.Exec("BEGIN");
  for (int i = 1; i <= 10; ++i) app.Exec("UPDATE accounts SET v = 2, balance = 1.0/3 WHERE id = " + std::to_string(i));
  app.Exec("COMMIT");
  ASSERT_TRUE(WaitUntil([&] { return proxy.cut(); })) << ReadFile(err_);
  // Nothing more is written until the group is confirmed: sent again, it ends where the lost one did.
  const long long updated = app.Int("SELECT max(id) FROM __cdc_log");
  ASSERT_TRUE(WaitUntil([&] { return Backlog() == 0; }, 30)) << ReadFile(err_);
  EXPECT_EQ(ReplicaPosition(), updated);
  app.Exec("DELETE FROM accounts WHERE id > 7");
  const long long last = app.Int("SELECT max(id) FROM __cdc_log");
  ASSERT_TRUE(WaitUntil([&] { return ReplicaPosition() == last && Backlog() == 0; }, 60)) << ReadFile(err_);
  cdc->Signal(SIGTERM);
  EXPECT_EQ(cdc->Wait(), 0) << ReadFile(err_);
  ExpectMixedTablesEqual();
  EXPECT_EQ(ReadFile(err_).find("another sqlite-cdc"), std::string::npos) << ReadFile(err_);
}

TEST_F(PostgresReplicaTest, WhatNeedsAPersonStopsWithOneLineAndNeverShowsThePassword) {
  SetUpCapture();
  AppDb(path_).Exec("INSERT INTO accounts VALUES (1, 1, 0.5, 'a')");
  const std::string password_schema = server_->NewSchema("cdc_pw");
  const std::string password_url = server_->Url("cdc_pw", password_schema);
  const std::string wrong = dir_.File("wrong-password");
  std::ofstream(wrong) << "not-" << PostgresServer::kPassword << "\n";
  const std::string right = dir_.File("password");
  std::ofstream(right) << PostgresServer::kPassword << "\n";

  const auto refused = Cdc({"--drain", "--output", password_url, "--pg-password-file", wrong});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("password authentication failed"), std::string::npos) << refused.err;
  EXPECT_EQ(refused.err.find(PostgresServer::kPassword), std::string::npos) << refused.err;

  const auto in_url = Cdc({"--drain", "--output",
                           "postgres://cdc_pw:" + std::string(PostgresServer::kPassword) +
                               "@127.0.0.1:" + std::to_string(server_->port()) + "/postgres"});
  EXPECT_EQ(in_url.exit_code, 2);
  EXPECT_NE(in_url.err.find("a password in the --output URL is not accepted"), std::string::npos) << in_url.err;
  EXPECT_EQ(in_url.err.find(PostgresServer::kPassword), std::string::npos) << in_url.err;

  const auto missing = Cdc({"--drain", "--output", server_->Url("cdc", "no_such_schema")});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("schema \"no_such_schema\" does not exist"), std::string::npos) << missing.err;

  const std::string not_ours = server_->NewSchema("postgres");
  const auto no_privilege = Cdc({"--drain", "--output", server_->Url("cdc", not_ours)});
  EXPECT_EQ(no_privilege.exit_code, 1);
  EXPECT_NE(no_privilege.err.find("permission denied for schema " + not_ours), std::string::npos) << no_privilege.err;
  EXPECT_EQ(Backlog(), 1) << "nothing left the log";

  setenv("PGPASSWORD", PostgresServer::kPassword, 1);  // the programs run inherit it
  const auto from_environment = Cdc({"--drain", "--output", password_url});
  unsetenv("PGPASSWORD");
  EXPECT_EQ(from_environment.exit_code, 0) << from_environment.err;
  EXPECT_EQ(from_environment.err.find(PostgresServer::kPassword), std::string::npos) << from_environment.err;
  AppDb(path_).Exec("INSERT INTO accounts VALUES (2, 1, 0.5, 'b')");

  const auto with_file = Cdc({"--drain", "--output", password_url, "--pg-password-file", right});
  EXPECT_EQ(with_file.exit_code, 0) << with_file.err;
  EXPECT_EQ(server_->Query("SELECT count(*) FROM \"" + password_schema + "\".accounts"), (PostgresServer::Rows{{"2"}}));
  EXPECT_EQ(with_file.err.find(PostgresServer::kPassword), std::string::npos) << with_file.err;
}

// SIGKILL at random moments while another process writes to two tables, and a reader polls the
// replica: the replica ends equal to the source, and no reader ever saw a row older than one it had
// seen before, nor the position go back.
TEST_F(PostgresReplicaTest, KilledAtRandomTheReplicaEndsEqualToTheSourceAndNeverGoesBackInTime) {
  constexpr int kChanges = 4500;  // at 1,500 a second: written while every kill lands
  constexpr int kKills = 8;
  SetUpCapture();
  AppDb(path_).Exec("INSERT INTO accounts VALUES (1000, 0, 0.5, 'before setup')");
  std::atomic<bool> done{false};
  std::atomic<long long> polls{0};
  testing::ForwardOnlyReadings readings;
  std::thread reader([&] {
    std::unique_ptr<sinks::PgConnection> conn;
    while (!done && readings.went_back().empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      try {
        if (!conn) conn = sinks::PgConnection::Connect(server_->Url("postgres"), "");
        // One snapshot for the position and both tables, as a reader of the replica would take it.
        conn->Execute("BEGIN ISOLATION LEVEL REPEATABLE READ");
        const auto value = [&](const std::string& sql) { return conn->Query(sql); };
        sinks::PgResult at = value("SELECT coalesce(log_id, 0) FROM " + Qualified("__cdc_replica"));
        // The position table is made before its first row: no row is position 0.
        readings.Position(PQntuples(at.get()) == 0 ? 0 : std::stoll(PQgetvalue(at.get(), 0, 0)));
        for (const std::string& sql :
             {"SELECT 'a' || id, v FROM " + Qualified("accounts"),
              "SELECT 'o' || \"order\" || '/' || line, v FROM " + Qualified("\"order lines\"")}) {
          sinks::PgResult rows = value(sql);
          for (int r = 0; r < PQntuples(rows.get()); ++r) {
            readings.Row(PQgetvalue(rows.get(), r, 0), std::stoll(PQgetvalue(rows.get(), r, 1)));
          }
        }
        conn->Execute("COMMIT");
        ++polls;
      } catch (const sinks::PgError&) {  // the replica's tables do not exist yet
        try {
          if (conn && conn->Usable()) conn->Execute("ROLLBACK");
        } catch (const sinks::PgError&) {
          conn.reset();
        }
      }
    }
  });

  const bool drained = TortureReplica(url_, kChanges, kKills, 100);
  done = true;
  reader.join();
  ASSERT_TRUE(drained);
  EXPECT_EQ(readings.went_back(), "") << "a reader saw the replica go back in time";
  EXPECT_GT(polls.load(), 20) << "the reader read the replica throughout";
  ExpectMixedTablesEqual();
  EXPECT_GT(std::stoll(server_->Query("SELECT count(*) FROM " + Qualified("accounts"))[0][0].value_or("0")), 50);
  EXPECT_EQ(ReplicaPosition(), AppDb(path_).Int("SELECT max(id) FROM __cdc_log"));
}

TEST_F(PostgresReplicaTest, ATableDroppedOnTheSourceBeforeARestartStillGetsWhatWasLoggedBefore) {
  SetUpCapture();
  AppDb app(path_);
  app.Exec("INSERT INTO events VALUES ('first', 1)");
  ASSERT_EQ(Cdc({"--drain", "--output", url_}).exit_code, 0);
  app.Exec("INSERT INTO events VALUES ('logged before the drop', 2)");
  app.Exec("UPDATE events SET payload = 10 WHERE kind = 'first'");
  app.Exec("DROP TABLE events");
  const auto run = Cdc({"--drain", "--output", url_});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(ReplicaRows("SELECT _rowid, kind, payload FROM " + Qualified("events") + " ORDER BY 1"),
            (std::vector<std::string>{"1|first|10", "2|logged before the drop|2"}))
      << "a table keyed by rowid, loaded from the replica's own catalog";
  EXPECT_EQ(Backlog(), 0);
}

// Without --blobs a BLOB column is left out of the images, but a BLOB key is still in the key.
TEST_F(PostgresReplicaTest, ABlobKeyWithoutBlobCaptureStillKeysTheReplicasRows) {
  AppDb app(path_);
  app.Exec("CREATE TABLE files (id BLOB PRIMARY KEY, name TEXT)");
  app.Exec("INSERT INTO files VALUES (x'0102', 'before the snapshot')");
  SetUpCapture(/*blobs=*/false);
  app.Exec("INSERT INTO files VALUES (x'FF00', 'a')");
  app.Exec("UPDATE files SET name = 'b' WHERE id = x'FF00'");
  app.Exec("UPDATE files SET name = 'renamed' WHERE id = x'0102'");
  const auto run = Cdc({"--bootstrap", "--drain", "--output", url_});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(ReplicaRows("SELECT upper(encode(id, 'hex')), name FROM " + Qualified("files") + " ORDER BY 1"),
            SourceRows("SELECT hex(id), name FROM files ORDER BY 1"));
}

// Rows that predate an added column read its default on the source; the replica's must too, also
// those that never change again.
TEST_F(PostgresReplicaTest, AColumnAddedWithADefaultHoldsItInRowsThatPredateIt) {
  SetUpCapture();
  AppDb app(path_);
  app.Exec("INSERT INTO accounts VALUES (1, 1, 0.5, 'a'), (2, 1, 0.25, 'b')");
  ASSERT_EQ(Cdc({"--drain", "--output", url_}).exit_code, 0);
  app.Exec("ALTER TABLE accounts ADD COLUMN status TEXT NOT NULL DEFAULT 'it''s active'");
  app.Exec("ALTER TABLE accounts ADD COLUMN limit_cents INTEGER DEFAULT '500'");
  app.Exec("ALTER TABLE accounts ADD COLUMN rate REAL DEFAULT 0.1");
  app.Exec("ALTER TABLE accounts ADD COLUMN tag DEFAULT 7");  // untyped: jsonb
  ASSERT_EQ(RunProcess(testing::BinaryPath("sqlite-cdc-setup"), {"--db", path_, "--setup"}).exit_code, 0);
  app.Exec("INSERT INTO accounts (id, v, balance, note) VALUES (3, 1, 1.0, 'c')");
  const auto run = Cdc({"--drain", "--output", url_});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(ReplicaRows(
                "SELECT id, status, limit_cents, rate, tag::text FROM " + Qualified("accounts") + " ORDER BY id", {3}),
            SourceRows("SELECT id, status, limit_cents, rate, tag FROM accounts ORDER BY id", {3}));
}

TEST_F(PostgresReplicaTest, ChangesOfATableNeitherOnTheSourceNorInTheReplicaStopAndStayInTheLog) {
  SetUpCapture();
  AppDb app(path_);
  app.Exec("INSERT INTO events VALUES ('first', 1)");
  ASSERT_EQ(Cdc({"--drain", "--output", url_}).exit_code, 0);
  app.Exec("INSERT INTO events VALUES ('logged before the drop', 2)");
  app.Exec("DROP TABLE events");
  server_->Query("DROP TABLE " + Qualified("events"));
  const auto run = Cdc({"--drain", "--output", url_, "--retry-attempts", "1"});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_NE(run.err.find("table events is neither"), std::string::npos) << run.err;
  EXPECT_EQ(Backlog(), 1) << "the change stays in the log";
}

// The handler itself (as the engine drives it) against the real server: a Send that fails after
// OnSchema committed the open group still reports that group as confirmed, so the engine does not
// send it again.
TEST_F(PostgresReplicaTest, AFailedSendStillConfirmsTheGroupTheSchemaStepCommitted) {
  WatchedSchema schema;
  auto replica = StartedReplica(&schema);
  ASSERT_EQ(replica->Send({AccountChange(1, 1)}).kind, HandlerResult::Kind::kSuccess);
  ASSERT_EQ(replica->OnSchema(schema).kind, HandlerResult::Kind::kSuccess);  // commits batch 1
  ASSERT_EQ(ReplicaPosition(), 1);
  server_->Query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'cdc'");
  EXPECT_EQ(replica->Send({AccountChange(2, 2)}).kind, HandlerResult::Kind::kRetry);
  EXPECT_EQ(replica->Poll(std::chrono::milliseconds(0), false).batches, 1u)
      << "batch 1 is in the replica: the engine must not send it again";
}

// A group lost when a schema step cannot commit it (the connection dropped while it was open) is
// reported at the next Send, so that the engine sends its batches again instead of taking the next
// group's confirmation for theirs.
TEST_F(PostgresReplicaTest, AGroupTheSchemaStepCouldNotCommitIsSentAgainNotConfirmed) {
  WatchedSchema schema;
  auto replica = StartedReplica(&schema);
  ASSERT_EQ(replica->Send({AccountChange(1, 1)}).kind, HandlerResult::Kind::kSuccess);
  server_->Query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'cdc'");
  EXPECT_EQ(replica->OnSchema(schema).kind, HandlerResult::Kind::kRetry)
      << "the open group is lost with the connection";
  ASSERT_EQ(replica->OnSchema(schema).kind, HandlerResult::Kind::kSuccess);
  EXPECT_EQ(replica->Send({AccountChange(2, 2)}).kind, HandlerResult::Kind::kRetry)
      << "batch 1 was rolled back: the engine must send it again, not count it confirmed later";
  EXPECT_EQ(replica->Poll(std::chrono::milliseconds(0), false).batches, 0u);
  // The engine sends the window again from batch 1.
  ASSERT_EQ(replica->Send({AccountChange(1, 1)}).kind, HandlerResult::Kind::kSuccess);
  ASSERT_EQ(replica->Send({AccountChange(2, 2)}).kind, HandlerResult::Kind::kSuccess);
  const Confirmations confirmed = replica->Poll(std::chrono::milliseconds(0), true);
  EXPECT_EQ(confirmed.failure.kind, HandlerResult::Kind::kSuccess) << confirmed.failure.message;
  EXPECT_EQ(confirmed.batches, 2u);
  EXPECT_EQ(ReplicaRows("SELECT id FROM " + Qualified("accounts") + " ORDER BY 1"),
            (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(ReplicaPosition(), 2);
}

// A group at or before the stored position (another process writing into the same schema) is
// refused: the position never goes back, and the rows it holds are not overwritten with older ones.
TEST_F(PostgresReplicaTest, AGroupAtOrBeforeTheStoredPositionIsRefusedAndThePositionNeverGoesBack) {
  WatchedSchema schema;
  auto replica = StartedReplica(&schema);
  ASSERT_EQ(replica->Send({AccountChange(5, 1, 5)}).kind, HandlerResult::Kind::kSuccess);
  ASSERT_EQ(replica->Poll(std::chrono::milliseconds(0), true).batches, 1u);
  ASSERT_EQ(replica->Send({AccountChange(3, 1, 3)}).kind, HandlerResult::Kind::kSuccess);
  EXPECT_EQ(replica->Poll(std::chrono::milliseconds(0), true).failure.kind, HandlerResult::Kind::kFatal);
  EXPECT_EQ(ReplicaPosition(), 5);
  EXPECT_EQ(server_->Query("SELECT v FROM " + Qualified("accounts")), (PostgresServer::Rows{{"5"}}));
}

// PostgreSQL answers COMMIT of a transaction an error aborted with a ROLLBACK status, not an error.
TEST_F(PostgresReplicaTest, ACommitTheServerAnswersWithRollbackIsAFailure) {
  auto conn = sinks::PgConnection::Connect(server_->Url("cdc"), "");
  conn->Execute("BEGIN");
  EXPECT_THROW(conn->Execute("SELECT 1/0"), sinks::PgError);
  EXPECT_TRUE(conn->InTransaction());
  EXPECT_THROW(conn->Commit(), sinks::PgError);
  EXPECT_FALSE(conn->InTransaction());
  conn->Execute("BEGIN");
  EXPECT_NO_THROW(conn->Commit());
}

TEST_F(PostgresReplicaTest, ASchemaStepCutShortIsRolledBackAndRetried) {
  SetUpCapture();
  AppDb app(path_);
  app.Exec("INSERT INTO accounts VALUES (1, 1, 0.5, 'a')");
  ASSERT_EQ(Cdc({"--drain", "--output", url_}).exit_code, 0);
  app.Exec("ALTER TABLE accounts ADD COLUMN currency TEXT");
  ASSERT_EQ(RunProcess(testing::BinaryPath("sqlite-cdc-setup"), {"--db", path_, "--setup"}).exit_code, 0);
  app.Exec("INSERT INTO accounts VALUES (2, 1, 0.25, 'b', 'USD')");
  // A reader holds the replica's table: the ALTER waits, and a statement_timeout cancels it.
  auto locker = sinks::PgConnection::Connect(server_->Url("postgres"), "");
  locker->Execute("BEGIN; LOCK TABLE " + Qualified("accounts") + " IN ACCESS SHARE MODE");
  auto cdc =
      StartCdcProcess({"--drain", "--output", url_ + "&options=-c%20statement_timeout%3D200", "--retry-initial-backoff",
                       "50ms", "--retry-max-backoff", "200ms", "--retry-attempts", "1000"});
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  locker->Execute("ROLLBACK");
  EXPECT_EQ(cdc->Wait(), 0) << ReadFile(err_);
  EXPECT_NE(ReadFile(err_).find("canceling statement due to statement timeout"), std::string::npos) << ReadFile(err_);
  EXPECT_EQ(ReplicaRows("SELECT id, v, balance, note, currency FROM " + Qualified("accounts") + " ORDER BY id", {2}),
            SourceRows("SELECT id, v, balance, note, currency FROM accounts ORDER BY id", {2}));
  EXPECT_EQ(Backlog(), 0);
}

TEST_F(PostgresReplicaTest, AColumnAddedUnderARenamedColumnsOldNameIsItsOwnColumn) {
  SetUpCapture();
  AppDb app(path_);
  const auto setup = [&] {
    return RunProcess(testing::BinaryPath("sqlite-cdc-setup"), {"--db", path_, "--setup"}).exit_code;
  };
  app.Exec("INSERT INTO accounts VALUES (1, 1, 0.5, 'a')");
  ASSERT_EQ(Cdc({"--drain", "--output", url_}).exit_code, 0);
  app.Exec("ALTER TABLE accounts RENAME COLUMN note TO memo");
  ASSERT_EQ(setup(), 0);
  app.Exec("INSERT INTO accounts VALUES (2, 1, 0.5, 'b')");
  ASSERT_EQ(Cdc({"--drain", "--output", url_}).exit_code, 0);
  app.Exec("ALTER TABLE accounts ADD COLUMN note TEXT");
  ASSERT_EQ(setup(), 0);
  app.Exec("INSERT INTO accounts VALUES (3, 1, 0.5, 'memo 3', 'note 3')");
  const auto run = Cdc({"--drain", "--output", url_, "--retry-attempts", "1"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(ReplicaRows("SELECT id, memo, note FROM " + Qualified("accounts") + " ORDER BY id"),
            SourceRows("SELECT id, memo, note FROM accounts ORDER BY id"));
}

TEST_F(PostgresReplicaTest, OneRowUnderItsKeysOldAndNewNameInOneBatchIsApplied) {
  SetUpCapture();
  AppDb app(path_);
  app.Exec("INSERT INTO accounts VALUES (1, 1, 0.5, 'a')");
  ASSERT_EQ(Cdc({"--drain", "--output", url_}).exit_code, 0);
  app.Exec("ALTER TABLE accounts RENAME COLUMN id TO ident");
  app.Exec("UPDATE accounts SET v = 2 WHERE ident = 1");  // logged by the old triggers: key {"id":1}
  ASSERT_EQ(RunProcess(testing::BinaryPath("sqlite-cdc-setup"), {"--db", path_, "--setup"}).exit_code, 0);
  app.Exec("UPDATE accounts SET v = 3 WHERE ident = 1");  // key {"ident":1}
  const auto run = Cdc({"--drain", "--output", url_, "--retry-attempts", "1"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(ReplicaRows("SELECT ident, v FROM " + Qualified("accounts") + " ORDER BY 1"),
            SourceRows("SELECT ident, v FROM accounts ORDER BY 1"));
  EXPECT_EQ(Backlog(), 0);
}

}  // namespace
}  // namespace sqlite_cdc
