// `sqlite-cdc --output sqlite://...` as a user runs it: a live replica that equals the source row
// for row, follows its columns, applies each change once across crashes, and never shows a reader
// an older version of a row than it showed before.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "support/app_db.h"
#include "support/captured_db.h"
#include "support/mixed_tables.h"
#include "support/process.h"

namespace sqlite_cdc {
namespace {

using testing::AppDb;
using testing::BackgroundProcess;
using testing::ReadFile;
using testing::RunProcess;
using testing::WaitUntil;

class ReplicaCliTest : public testing::CapturedDbTest {
 protected:
  ReplicaCliTest()
      : testing::CapturedDbTest(std::string(testing::kMixedTables) +
                                "; CREATE TABLE blobs (k TEXT PRIMARY KEY, data BLOB, x REAL);"
                                "CREATE TABLE events (kind TEXT, payload)"),
        replica_(dir_.File("replica.db")),
        url_("sqlite://" + replica_) {}

  testing::ProcessResult Cdc(std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", path_});
    return RunProcess(testing::BinaryPath("sqlite-cdc"), args);
  }

  // Rows of `table` that are in one database and not, with the same values and types, in the other.
  long long Differences(const std::string& table) {
    AppDb source(path_);
    source.Exec("ATTACH '" + replica_ + "' AS replica");
    const std::string a = "SELECT *, " + TypesOf(source, table) + " FROM main." + table;
    const std::string b = "SELECT *, " + TypesOf(source, table) + " FROM replica." + table;
    return source.Int("SELECT (SELECT count(*) FROM (" + a + " EXCEPT " + b + ")) + (SELECT count(*) FROM (" + b +
                      " EXCEPT " + a + "))");
  }

  static std::string TypesOf(AppDb& db, const std::string& table) {
    std::string types;
    for (const auto& row : db.Rows("SELECT name FROM pragma_table_info('" + Unquoted(table) + "')")) {
      types += (types.empty() ? "" : ", ") + std::string("typeof(\"") + row[0].value_or("") + "\")";
    }
    return types;
  }
  static std::string Unquoted(const std::string& table) {
    return table.front() == '"' ? table.substr(1, table.size() - 2) : table;
  }

  // The replica's position; 0 before the engine made its position table.
  long long ReplicaPosition() {
    AppDb replica(replica_);
    if (replica.Int("SELECT count(*) FROM sqlite_schema WHERE name = '__cdc_replica'") == 0) return 0;
    return replica.Int("SELECT coalesce(log_id, 0) FROM __cdc_replica");
  }

  std::string replica_;
  std::string url_;
};

TEST_F(ReplicaCliTest, ABootstrapThenChangesLeaveTheReplicaEqualToTheSourceValueForValue) {
  AppDb app(path_);
  app.Exec("INSERT INTO accounts VALUES (1, 1, 0.1, 'a'), (2, 1, 1e300, NULL), (3, 1, -0.0, 'x''y')");
  app.Exec("INSERT INTO \"order lines\" VALUES (1, 'L1', 1, 10.0/3), (1, 'L2', 1, 4.9e-324)");
  app.Exec("INSERT INTO blobs VALUES ('k', x'00FF10', 9007199254740993.0), ('nul', NULL, NULL)");
  app.Exec("INSERT INTO events VALUES ('a', 1), ('b', 'text'), ('c', 2.5)");
  SetUpCapture(/*blobs=*/true);
  app.Exec("UPDATE accounts SET balance = 2.0/3, note = 'changed' WHERE id = 1");
  app.Exec("DELETE FROM accounts WHERE id = 2");
  app.Exec("INSERT INTO \"order lines\" VALUES (2, 'L1', 2, 1e-310)");
  app.Exec("DELETE FROM events WHERE kind = 'a'");
  app.Exec("UPDATE accounts SET id = 30 WHERE id = 3");  // a key change: a delete and an insert

  const auto run = Cdc({"--bootstrap", "--drain", "--output", url_});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  for (const char* table : {"accounts", "\"order lines\"", "blobs"}) EXPECT_EQ(Differences(table), 0) << table;
  EXPECT_EQ(AppDb(replica_).Rows("SELECT rowid, kind, payload, typeof(payload) FROM events ORDER BY rowid"),
            app.Rows("SELECT rowid, kind, payload, typeof(payload) FROM events ORDER BY rowid"))
      << "a table without a declared key keeps its rowids";
  EXPECT_EQ(ReplicaPosition(), app.Int("SELECT max(id) FROM __cdc_log"));
  EXPECT_EQ(AppDb(replica_).Text("PRAGMA journal_mode"), "wal") << "readers use it while it is applied";
}

TEST_F(ReplicaCliTest, WhatTheReplicaHoldsIsNotAppliedAgainWhenTheLogStillHoldsIt) {
  SetUpCapture();
  {
    AppDb app(path_);
    app.Exec("INSERT INTO accounts VALUES (1, 1, 0.5, 'a'), (2, 1, 0.25, 'b')");
    app.Exec("UPDATE accounts SET v = 2 WHERE id = 1");
    app.Exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }
  std::filesystem::copy_file(path_, dir_.File("before.db"));
  const auto first = Cdc({"--drain", "--output", url_});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.err.find("delivered 3 changes (log ids 1 to 3)"), std::string::npos) << first.err;
  ASSERT_EQ(ReplicaPosition(), 3);

  // The log as a crash after the replica's commit and before the deletion from the log leaves it:
  std::filesystem::copy_file(dir_.File("before.db"), path_, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::remove(path_ + "-wal");
  std::filesystem::remove(path_ + "-shm");
  ASSERT_EQ(Backlog(), 3);
  const auto again = Cdc({"--drain", "--output", url_});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("the output holds the log up to id 3: resuming after it"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("delivered 0 changes"), std::string::npos) << again.err;
  EXPECT_EQ(Backlog(), 0) << "what the replica holds leaves the log";
  EXPECT_EQ(Differences("accounts"), 0);
}

TEST_F(ReplicaCliTest, ASecondBootstrapIsSkippedUnlessForcedAndAForcedOneDropsDeletedRows) {
  SetUpCapture();
  AppDb app(path_);
  app.Exec("INSERT INTO accounts VALUES (1, 1, 0.5, 'a'), (2, 1, 0.25, 'b')");
  ASSERT_EQ(Cdc({"--bootstrap", "--drain", "--output", url_}).exit_code, 0);
  AppDb(replica_).Exec("INSERT INTO accounts VALUES (99, 1, 1, 'only in the replica')");
  const auto skipped = Cdc({"--bootstrap", "--drain", "--output", url_});
  ASSERT_EQ(skipped.exit_code, 0) << skipped.err;
  EXPECT_NE(skipped.err.find("already holds a snapshot"), std::string::npos) << skipped.err;
  EXPECT_EQ(AppDb(replica_).Int("SELECT count(*) FROM accounts"), 3);
  const auto forced = Cdc({"--bootstrap", "--force-bootstrap", "--drain", "--output", url_});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(Differences("accounts"), 0) << "a new snapshot replaces the replica's rows";
}

TEST_F(ReplicaCliTest, ColumnsAddedAndRenamedWhileStreamingAreFollowed) {
  SetUpCapture();
  AppDb app(path_);
  auto cdc = StartCdcProcess({"--output", url_, "--poll-interval", "100ms"});
  app.Exec("INSERT INTO accounts VALUES (1, 1, 0.5, 'a')");
  ASSERT_TRUE(WaitUntil([&] { return std::filesystem::exists(replica_) && ReplicaPosition() == 1; })) << ReadFile(err_);
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
  EXPECT_EQ(Differences("accounts"), 0);
  EXPECT_EQ(AppDb(replica_).Text("SELECT memo FROM accounts WHERE id = 1"), "renamed before setup");
}

// Without --blobs a BLOB column is left out of the images, but a BLOB key is still in the key:
// the replica's rows keep it (a rowid table would otherwise take a NULL key for each change).
TEST_F(ReplicaCliTest, ABlobKeyWithoutBlobCaptureStillKeysTheReplicasRows) {
  AppDb app(path_);
  app.Exec("CREATE TABLE files (id BLOB PRIMARY KEY, name TEXT)");
  app.Exec("INSERT INTO files VALUES (x'0102', 'before the snapshot')");
  SetUpCapture(/*blobs=*/false);
  app.Exec("INSERT INTO files VALUES (x'FF00', 'a')");
  app.Exec("UPDATE files SET name = 'b' WHERE id = x'FF00'");
  app.Exec("UPDATE files SET name = 'renamed' WHERE id = x'0102'");
  const auto run = Cdc({"--bootstrap", "--drain", "--output", url_});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(AppDb(replica_).Rows("SELECT hex(id), typeof(id), name FROM files ORDER BY 1"),
            app.Rows("SELECT hex(id), typeof(id), name FROM files ORDER BY 1"));
}

// Rows that predate an added column read its default on the source; the replica's must too, also
// those that never change again.
TEST_F(ReplicaCliTest, AColumnAddedWithADefaultHoldsItInRowsThatPredateIt) {
  SetUpCapture();
  AppDb app(path_);
  app.Exec("INSERT INTO accounts VALUES (1, 1, 0.5, 'a'), (2, 1, 0.25, 'b')");
  ASSERT_EQ(Cdc({"--drain", "--output", url_}).exit_code, 0);
  app.Exec("ALTER TABLE accounts ADD COLUMN status TEXT NOT NULL DEFAULT 'active'");
  app.Exec("ALTER TABLE accounts ADD COLUMN limit_cents INTEGER DEFAULT '500'");  // stored as the integer 500
  app.Exec("ALTER TABLE accounts ADD COLUMN rate REAL DEFAULT 0.1");
  app.Exec("ALTER TABLE accounts ADD COLUMN closed DEFAULT NULL");
  app.Exec("ALTER TABLE events ADD COLUMN seq INTEGER DEFAULT (1 + 1)");  // an expression: on an empty table only
  ASSERT_EQ(RunProcess(testing::BinaryPath("sqlite-cdc-setup"), {"--db", path_, "--setup"}).exit_code, 0);
  app.Exec("INSERT INTO accounts (id, v, balance, note) VALUES (3, 1, 1.0, 'c')");
  app.Exec("INSERT INTO events (kind, payload) VALUES ('after', 1)");
  const auto run = Cdc({"--drain", "--output", url_});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(Differences("accounts"), 0);
  EXPECT_EQ(Differences("events"), 0);
}

TEST_F(ReplicaCliTest, AColumnChangeItCannotFollowStopsWithTheTableNamed) {
  SetUpCapture();
  AppDb app(path_);
  app.Exec("INSERT INTO accounts VALUES (1, 1, 0.5, 'a')");
  ASSERT_EQ(Cdc({"--drain", "--output", url_}).exit_code, 0);
  AppDb(replica_).Exec("ALTER TABLE accounts RENAME COLUMN note TO something_else");
  AppDb(replica_).Exec("ALTER TABLE accounts ADD COLUMN extra");
  app.Exec("INSERT INTO accounts VALUES (2, 1, 0.5, 'b')");
  const auto run = Cdc({"--drain", "--output", url_, "--retry-attempts", "1"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("cannot follow table accounts"), std::string::npos) << run.err;
  EXPECT_EQ(Backlog(), 1) << "the change stays in the log";
}

TEST_F(ReplicaCliTest, ATableRebuiltWithAnotherKeyStopsRatherThanMergingRows) {
  SetUpCapture();
  AppDb app(path_);
  app.Exec("INSERT INTO accounts VALUES (1, 1, 0.5, 'a')");
  ASSERT_EQ(Cdc({"--drain", "--output", url_}).exit_code, 0);
  // SQLite's 12-step ALTER: the key becomes (id, note).
  app.Exec(
      "BEGIN; CREATE TABLE new_accounts (id INTEGER, v INTEGER NOT NULL, balance REAL, note TEXT, "
      "PRIMARY KEY (id, note)); INSERT INTO new_accounts SELECT * FROM accounts; DROP TABLE accounts; "
      "ALTER TABLE new_accounts RENAME TO accounts; COMMIT");
  ASSERT_EQ(RunProcess(testing::BinaryPath("sqlite-cdc-setup"), {"--db", path_, "--setup"}).exit_code, 0);
  app.Exec("INSERT INTO accounts VALUES (1, 2, 0.5, 'b')");  // the same id, another key
  const auto run = Cdc({"--drain", "--output", url_, "--retry-attempts", "1"});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_NE(run.err.find("cannot follow table accounts"), std::string::npos) << run.err;
  EXPECT_EQ(AppDb(replica_).Int("SELECT count(*) FROM accounts"), 1) << "no row was replaced under the old key";
}

TEST_F(ReplicaCliTest, ATableDroppedOnTheSourceStillGetsWhatWasLoggedBeforeAndStays) {
  SetUpCapture();
  AppDb app(path_);
  app.Exec("INSERT INTO blobs VALUES ('first', NULL, 1)");
  ASSERT_EQ(Cdc({"--drain", "--output", url_}).exit_code, 0);
  app.Exec("INSERT INTO blobs VALUES ('logged before the drop', NULL, 2)");
  app.Exec("DROP TABLE blobs");
  const auto run = Cdc({"--drain", "--output", url_});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(AppDb(replica_).Text("SELECT group_concat(k, ',') FROM (SELECT k FROM blobs ORDER BY x)"),
            "first,logged before the drop");
  EXPECT_EQ(Backlog(), 0);
}

TEST_F(ReplicaCliTest, AfterTheSourceIsSetUpAnewTheReplicaIsRefusedUntilANewSnapshot) {
  SetUpCapture();
  AppDb app(path_);
  app.Exec("INSERT INTO accounts VALUES (1, 1, 0.5, 'a'), (2, 1, 0.5, 'b'), (3, 1, 0.5, 'c')");
  ASSERT_EQ(Cdc({"--drain", "--output", url_}).exit_code, 0);
  ASSERT_EQ(ReplicaPosition(), 3);
  const auto setup = [&](const char* what) {
    return RunProcess(testing::BinaryPath("sqlite-cdc-setup"), {"--db", path_, what}).exit_code;
  };
  ASSERT_EQ(setup("--teardown"), 0);
  ASSERT_EQ(setup("--setup"), 0);  // a new log: its ids start at 1 again
  app.Exec("INSERT INTO accounts VALUES (4, 1, 0.5, 'd'), (5, 1, 0.5, 'e'), (6, 1, 0.5, 'f'), (7, 1, 0.5, 'g')");
  const auto refused = Cdc({"--drain", "--output", url_});
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_NE(refused.err.find("another log"), std::string::npos) << refused.err;
  EXPECT_EQ(Backlog(), 4);
  const auto again = Cdc({"--bootstrap", "--force-bootstrap", "--drain", "--output", url_});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(Differences("accounts"), 0);
  EXPECT_EQ(ReplicaPosition(), 4) << "the new log's position, not the old one's";
}

TEST_F(ReplicaCliTest, ATableSubsetIsRefusedSinceThePositionCoversEveryTable) {
  SetUpCapture();
  AppDb app(path_);
  app.Exec("INSERT INTO accounts VALUES (1, 1, 0.5, 'a')");
  app.Exec("INSERT INTO blobs VALUES ('k', NULL, 1)");
  const auto run = Cdc({"--drain", "--table", "accounts", "--output", url_});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find("leave out --table"), std::string::npos) << run.err;
  EXPECT_EQ(Backlog(), 2) << "nothing delivered, nothing removed";
}

// Transfers between two accounts, each one source transaction: a reader of the replica always sees
// the total the source always has, so it never sees half a transaction, while the replica follows
// each commit as the engine reads it.
TEST_F(ReplicaCliTest, AReaderNeverSeesHalfOfASourceTransaction) {
  SetUpCapture();
  AppDb app(path_);
  app.Exec("INSERT INTO accounts VALUES (1, 0, 1000, 'a'), (2, 0, 1000, 'b')");
  auto cdc =
      StartCdcProcess({"--bootstrap", "--cdc", "--output", url_, "--batch-size", "1", "--poll-interval", "50ms"});
  ASSERT_TRUE(WaitUntil([&] { return std::filesystem::exists(replica_) && ReplicaPosition() > 0; })) << ReadFile(err_);
  std::atomic<bool> done{false};
  std::atomic<long long> reads{0}, torn{0};
  std::thread reader([&] {
    AppDb replica(replica_);
    while (!done) {
      if (replica.Int("SELECT count(*) FROM accounts") == 2 &&
          replica.Int("SELECT CAST(sum(balance) AS INTEGER) FROM accounts") != 2000) {
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
  EXPECT_EQ(Differences("accounts"), 0);
}

TEST_F(ReplicaCliTest, BadReplicaUrlsGetOneLineAndExit2) {
  SetUpCapture();
  AppDb(path_).Exec("INSERT INTO accounts VALUES (1, 1, 0.5, 'a')");
  std::ofstream(dir_.File("not-a-db.txt")) << "hello, this is not a database file at all, only text";
  for (const std::string& url :
       {std::string("sqlite://"), "sqlite://" + dir_.File("r.db") + "?mode=ro", "sqlite://" + path_,
        "sqlite://" + dir_.File("missing/folder/r.db"), "sqlite://" + dir_.File("not-a-db.txt")}) {
    const auto run = Cdc({"--drain", "--output", url});
    EXPECT_EQ(run.exit_code, 2) << url << ": " << run.err;
    EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << url << ": " << run.err;
  }
  EXPECT_EQ(Backlog(), 1) << "nothing delivered";
}

TEST_F(ReplicaCliTest, ExactlyOnceIsAcceptedByTheReplicaAndRefusedByAtLeastOnceOutputs) {
  SetUpCapture();
  AppDb(path_).Exec("INSERT INTO accounts VALUES (1, 1, 0.5, 'a')");
  const auto json = Cdc({"--drain", "--exactly-once", "--output", "json"});
  EXPECT_EQ(json.exit_code, 2);
  EXPECT_NE(json.err.find("--exactly-once needs an output that keeps the log position"), std::string::npos) << json.err;
  EXPECT_EQ(Backlog(), 1);
  const auto replica = Cdc({"--drain", "--exactly-once", "--output", url_});
  EXPECT_EQ(replica.exit_code, 0) << replica.err;
  EXPECT_EQ(Differences("accounts"), 0);
}

// SIGKILL at random moments while another process writes to both tables; a reader polls the replica
// throughout. The replica ends equal to the source, and no reader ever saw a row older than one it
// had seen before, nor the position go back.
TEST_F(ReplicaCliTest, KilledAtRandomTheReplicaEndsEqualToTheSourceAndNeverGoesBackInTime) {
  constexpr int kChanges = 6000;
  constexpr int kKills = 12;
  SetUpCapture();
  AppDb(path_).Exec("INSERT INTO accounts VALUES (1000, 0, 0.5, 'before setup')");
  std::atomic<bool> done{false};
  std::atomic<long long> polls{0};
  testing::ForwardOnlyReadings readings;
  std::thread reader([&] {
    while (!done && readings.went_back().empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      sqlite3* db = nullptr;
      if (!std::filesystem::exists(replica_) ||
          sqlite3_open_v2(replica_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        continue;
      }
      sqlite3_busy_timeout(db, 1000);
      sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
      const auto visit = [&](const std::string& sql, const auto& each) {
        sqlite3_stmt* statement = nullptr;
        if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) return;
        while (sqlite3_step(statement) == SQLITE_ROW) each(statement);
        sqlite3_finalize(statement);
      };
      visit("SELECT coalesce(log_id, 0) FROM __cdc_replica",
            [&](sqlite3_stmt* row) { readings.Position(sqlite3_column_int64(row, 0)); });
      const auto check = [&](sqlite3_stmt* row) {
        readings.Row(reinterpret_cast<const char*>(sqlite3_column_text(row, 0)), sqlite3_column_int64(row, 1));
      };
      visit("SELECT 'a' || id, v FROM accounts", check);
      visit("SELECT 'o' || \"order\" || '/' || line, v FROM \"order lines\"", check);
      sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
      sqlite3_close(db);
      ++polls;
    }
  });

  const bool drained = TortureReplica(url_, kChanges, kKills, 50);
  done = true;
  reader.join();
  ASSERT_TRUE(drained);
  EXPECT_EQ(readings.went_back(), "") << "a reader saw the replica go back in time";
  EXPECT_GT(polls.load(), 50);
  EXPECT_EQ(Differences("accounts"), 0);
  EXPECT_EQ(Differences("\"order lines\""), 0);
  EXPECT_GT(AppDb(replica_).Int("SELECT count(*) FROM accounts") +
                AppDb(replica_).Int("SELECT count(*) FROM \"order lines\""),
            100);
  EXPECT_EQ(ReplicaPosition(), AppDb(path_).Int("SELECT max(id) FROM __cdc_log"));
}

}  // namespace
}  // namespace sqlite_cdc
