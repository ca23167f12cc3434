// What the triggers log for the writes applications make every day, checked as a consumer would:
// replaying the log onto an empty table gives back the table, with no change missing and none
// invented. The application writes through a plain connection.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cstring>

#include "sqlite_cdc/setup.h"
#include "support/app_db.h"
#include "support/json_check.h"
#include "support/log_replay.h"
#include "support/temp_dir.h"

namespace sqlite_cdc {
namespace {

using testing::AppDb;
using testing::ReadLog;
using testing::StrictJson;

class ChangeCaptureTest : public ::testing::Test {
 protected:
  ChangeCaptureTest() : path_(dir_.File("app.db")), app_(path_) {}

  void Watch(const std::string& create_sql, const std::string& table, bool keep_unchanged_updates = false) {
    app_.Exec(create_sql);
    CaptureOptions options;
    options.db_path = path_;
    options.tables = {table};
    options.keep_unchanged_updates = keep_unchanged_updates;
    const Status status = sqlite_cdc::Setup(options);
    ASSERT_TRUE(status.ok()) << status.message();
  }

  // The log replayed strictly onto an empty table equals the table.
  void ExpectReplayEqualsTable(const std::string& table) {
    testing::LogReplay replay;
    EXPECT_EQ(replay.Apply(app_, table), "");
    EXPECT_EQ(replay.rows(), testing::ImagedRows(app_, table));
  }

  std::vector<std::string> Operations() {
    std::vector<std::string> operations;
    for (const auto& row : ReadLog(app_)) operations.push_back(row.operation + " " + row.key.value_or("null"));
    return operations;
  }

  testing::TempDir dir_;
  std::string path_;
  AppDb app_;
};

uint64_t Bits(double value) { return std::bit_cast<uint64_t>(value); }

TEST_F(ChangeCaptureTest, RealsReachTheImageBitForBit) {
  Watch("CREATE TABLE m (id INTEGER PRIMARY KEY, r REAL, loose, s REAL)", "m");
  Watch("CREATE TABLE st (id INTEGER PRIMARY KEY, r REAL) STRICT", "st");
  const double values[] = {10.0 / 3, 0.1 + 0.2, 9007199254740994.0,       5e-324,     DBL_MAX, -2.5e-8,
                           0.1,      1e100,     -1.2345678901234567e-300, 123456.789, 2.0,     1e22};
  int id = 0;
  for (const double value : values) {
    ++id;
    sqlite3_stmt* statement = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(app_.handle(), "INSERT INTO m VALUES (?1, ?2, ?2, ?2)", -1, &statement, nullptr),
              SQLITE_OK);
    sqlite3_bind_int(statement, 1, id);
    sqlite3_bind_double(statement, 2, value);
    ASSERT_EQ(sqlite3_step(statement), SQLITE_DONE);
    sqlite3_finalize(statement);
    ASSERT_EQ(sqlite3_prepare_v2(app_.handle(), "INSERT INTO st VALUES (?1, ?2)", -1, &statement, nullptr), SQLITE_OK);
    sqlite3_bind_int(statement, 1, id);
    sqlite3_bind_double(statement, 2, value);
    ASSERT_EQ(sqlite3_step(statement), SQLITE_DONE);
    sqlite3_finalize(statement);
  }
  const auto log = ReadLog(app_);
  ASSERT_EQ(log.size(), 2 * std::size(values));
  for (size_t i = 0; i < std::size(values); ++i) {
    const auto loose = StrictJson(log[2 * i].after);
    const auto strict = StrictJson(log[2 * i + 1].after);
    for (const auto* image : {&loose["r"], &loose["loose"], &loose["s"], &strict["r"]}) {
      ASSERT_TRUE(image->is_number()) << *log[2 * i].after;
      EXPECT_EQ(Bits(image->get<double>()), Bits(values[i])) << "value " << i << " logged as " << image->dump();
    }
  }
  // An integer-valued real stays a real in an untyped column, and is a number everywhere.
  EXPECT_EQ(StrictJson(log[20].after)["loose"].dump(), "2.0");
}

TEST_F(ChangeCaptureTest, ReplaceOnAUniqueColumnLogsTheEvictedRowsDelete) {
  Watch("CREATE TABLE u (id INTEGER PRIMARY KEY, email TEXT UNIQUE)", "u");
  app_.Exec("INSERT INTO u VALUES (1, 'a@x')");
  app_.Exec("INSERT OR REPLACE INTO u VALUES (50, 'a@x')");
  EXPECT_EQ(Operations(),
            (std::vector<std::string>{R"(INSERT {"id":1})", R"(DELETE {"id":1})", R"(INSERT {"id":50})"}));
  EXPECT_EQ(*ReadLog(app_)[1].before, R"({"id":1,"email":"a@x"})");
  ExpectReplayEqualsTable("u");
}

TEST_F(ChangeCaptureTest, ReplaceOnTheKeyLogsADeleteThenTheInsert) {
  Watch("CREATE TABLE u (id INTEGER PRIMARY KEY, email TEXT UNIQUE)", "u");
  app_.Exec("INSERT INTO u VALUES (1, 'a@x')");
  app_.Exec("REPLACE INTO u VALUES (1, 'b@x')");
  EXPECT_EQ(Operations(), (std::vector<std::string>{R"(INSERT {"id":1})", R"(DELETE {"id":1})", R"(INSERT {"id":1})"}));
  ExpectReplayEqualsTable("u");
}

TEST_F(ChangeCaptureTest, OneReplaceCanEvictSeveralRowsAndRowsOfTheSameStatement) {
  Watch("CREATE TABLE u (id INTEGER PRIMARY KEY, email TEXT UNIQUE COLLATE NOCASE, a INT, b INT, UNIQUE (a, b))", "u");
  app_.Exec("INSERT INTO u VALUES (1, 'a@x', 1, 1), (2, 'b@x', 2, 2), (3, 'c@x', 3, 3)");
  app_.Exec("INSERT OR REPLACE INTO u VALUES (1, 'B@X', 3, 3)");  // the key, a NOCASE email, a composite pair
  app_.Exec("INSERT OR REPLACE INTO u VALUES (7, 'd@x', 7, 7), (8, 'd@x', 8, 8)");  // the second evicts the first
  app_.Exec("INSERT OR REPLACE INTO u VALUES (9, 'e@x', NULL, 1), (10, 'f@x', NULL, 1)");  // NULLs never conflict
  ExpectReplayEqualsTable("u");
  EXPECT_EQ(app_.Int("SELECT count(*) FROM u"), 4);
}

TEST_F(ChangeCaptureTest, IgnoredAndUpsertedInsertsLogNoPhantomDelete) {
  Watch("CREATE TABLE u (id INTEGER PRIMARY KEY, email TEXT UNIQUE, n INTEGER)", "u");
  app_.Exec("INSERT INTO u VALUES (1, 'a@x', 0)");
  app_.Exec("INSERT OR IGNORE INTO u VALUES (2, 'a@x', 0)");
  app_.Exec("INSERT INTO u VALUES (3, 'a@x', 0) ON CONFLICT DO NOTHING");
  app_.Exec("INSERT INTO u VALUES (4, 'a@x', 0) ON CONFLICT (email) DO UPDATE SET n = n + 1");
  app_.Exec("INSERT INTO u VALUES (5, 'e@x', 0)");  // no conflict: must not pick up what the others left
  app_.Exec("DELETE FROM u WHERE id = 1");
  app_.Exec("INSERT INTO u VALUES (6, 'f@x', 0)");
  EXPECT_EQ(Operations(), (std::vector<std::string>{R"(INSERT {"id":1})", R"(UPDATE {"id":1})", R"(INSERT {"id":5})",
                                                    R"(DELETE {"id":1})", R"(INSERT {"id":6})"}));
  ExpectReplayEqualsTable("u");
}

TEST_F(ChangeCaptureTest, RowsOutsideAPartialUniqueIndexAreNotEvicted) {
  Watch("CREATE TABLE u (id INTEGER PRIMARY KEY, code TEXT, active INT)", "u");
  app_.Exec("CREATE UNIQUE INDEX active_code ON u (code) WHERE active");
  ASSERT_TRUE(sqlite_cdc::Setup([&] {
                CaptureOptions options;
                options.db_path = path_;
                return options;
              }())
                  .ok());
  app_.Exec("INSERT INTO u VALUES (1, 'X', 0), (2, 'Y', 1)");
  app_.Exec("INSERT OR REPLACE INTO u VALUES (3, 'X', 1), (4, 'Y', 1)");
  EXPECT_EQ(app_.Int("SELECT count(*) FROM u"), 3);
  ExpectReplayEqualsTable("u");
}

TEST_F(ChangeCaptureTest, ReplaceEvictionsInTablesWithoutRowidOrWithoutKey) {
  Watch("CREATE TABLE w (a TEXT, b INT, v TEXT UNIQUE, PRIMARY KEY (a, b)) WITHOUT ROWID", "w");
  Watch("CREATE TABLE n (body TEXT UNIQUE, x INT)", "n");
  app_.Exec("INSERT INTO w VALUES ('p', 1, 'one'), ('p', 2, 'two')");
  app_.Exec("INSERT OR REPLACE INTO w VALUES ('p', 1, 'two')");
  app_.Exec("INSERT INTO n VALUES ('hi', 1)");
  app_.Exec("INSERT OR REPLACE INTO n VALUES ('hi', 2)");
  app_.Exec("INSERT OR REPLACE INTO n (rowid, body, x) VALUES (2, 'yo', 3)");  // the new row's own rowid
  ExpectReplayEqualsTable("w");
  ExpectReplayEqualsTable("n");
}

// UPDATE OR REPLACE, and a plain UPDATE under a constraint declared ON CONFLICT REPLACE, delete the
// rows the updated row collides with, again without firing DELETE triggers.
TEST_F(ChangeCaptureTest, UpdateOrReplaceOnAUniqueColumnLogsTheEvictedRowsDelete) {
  Watch("CREATE TABLE u (id INTEGER PRIMARY KEY, email TEXT UNIQUE)", "u");
  app_.Exec("INSERT INTO u VALUES (1, 'a@x'), (2, 'b@x')");
  app_.Exec("UPDATE OR REPLACE u SET email = 'a@x' WHERE id = 2");
  // The DELETE and the UPDATE are of different keys: their order is not promised, only that both are there.
  std::vector<std::string> operations = Operations();
  ASSERT_EQ(operations.size(), 4u);
  std::sort(operations.begin() + 2, operations.end());
  EXPECT_EQ(operations, (std::vector<std::string>{R"(INSERT {"id":1})", R"(INSERT {"id":2})", R"(DELETE {"id":1})",
                                                  R"(UPDATE {"id":2})"}));
  for (const auto& row : ReadLog(app_)) {
    if (row.operation == "DELETE") {
      EXPECT_EQ(*row.before, R"({"id":1,"email":"a@x"})");
    }
  }
  ExpectReplayEqualsTable("u");
}

// The evicted row held the key the updated row takes: its DELETE must come before the INSERT of that
// key, or a consumer applying by key would delete the row that now holds it.
TEST_F(ChangeCaptureTest, UpdateOrReplaceOntoAnotherRowsKeyLogsItsDeleteFirst) {
  Watch("CREATE TABLE u (id INTEGER PRIMARY KEY, email TEXT)", "u");
  app_.Exec("INSERT INTO u VALUES (1, 'a@x'), (2, 'b@x')");
  app_.Exec("UPDATE OR REPLACE u SET id = 1 WHERE id = 2");
  EXPECT_EQ(Operations(), (std::vector<std::string>{R"(INSERT {"id":1})", R"(INSERT {"id":2})", R"(DELETE {"id":1})",
                                                    R"(DELETE {"id":2})", R"(INSERT {"id":1})"}));
  EXPECT_EQ(*ReadLog(app_)[2].before, R"({"id":1,"email":"a@x"})");
  ExpectReplayEqualsTable("u");
}

TEST_F(ChangeCaptureTest, APlainUpdateUnderAnOnConflictReplaceConstraintLogsTheEviction) {
  Watch("CREATE TABLE u (id INTEGER PRIMARY KEY, email TEXT UNIQUE ON CONFLICT REPLACE)", "u");
  app_.Exec("INSERT INTO u VALUES (1, 'a@x'), (2, 'b@x')");
  app_.Exec("UPDATE u SET email = 'a@x' WHERE id = 2");
  ASSERT_EQ(app_.Int("SELECT count(*) FROM u"), 1);
  ExpectReplayEqualsTable("u");
}

// Without --blobs the image leaves a BLOB column out, so the UPDATE itself is not logged; the row it
// evicted through that column's unique index still gets its DELETE.
TEST_F(ChangeCaptureTest, AnEvictionThroughAColumnTheImageLeavesOutIsLogged) {
  Watch("CREATE TABLE u (id INTEGER PRIMARY KEY, name TEXT, photo BLOB UNIQUE)", "u");
  app_.Exec("INSERT INTO u VALUES (1, 'Ann', x'01'), (2, 'Bob', x'02')");
  app_.Exec("UPDATE OR REPLACE u SET photo = x'01' WHERE id = 2");
  EXPECT_EQ(Operations(), (std::vector<std::string>{R"(INSERT {"id":1})", R"(INSERT {"id":2})", R"(DELETE {"id":1})"}));
  ExpectReplayEqualsTable("u");
}

// Each row of one statement may evict a row the statement updated before it.
TEST_F(ChangeCaptureTest, OneUpdateOrReplaceCanEvictRowsItUpdatedItself) {
  Watch("CREATE TABLE u (id INTEGER PRIMARY KEY, email TEXT UNIQUE COLLATE NOCASE, n INT)", "u");
  app_.Exec("INSERT INTO u VALUES (1, 'a@x', 1), (2, 'b@x', 2), (3, 'c@x', 3), (4, 'Z@X', 4)");
  app_.Exec("UPDATE OR REPLACE u SET email = 'z@x', n = n * 10 WHERE id < 4");
  ASSERT_EQ(app_.Int("SELECT count(*) FROM u"), 1);
  ExpectReplayEqualsTable("u");
}

TEST_F(ChangeCaptureTest, UpdateOrReplaceEvictionsInTablesWithoutRowid) {
  Watch("CREATE TABLE w (a TEXT, b INT, v TEXT UNIQUE, PRIMARY KEY (a, b)) WITHOUT ROWID", "w");
  app_.Exec("INSERT INTO w VALUES ('p', 1, 'one'), ('p', 2, 'two'), ('p', 3, 'three')");
  app_.Exec("UPDATE OR REPLACE w SET v = 'two' WHERE b = 1");  // evicts ('p', 2) by its unique value
  app_.Exec("UPDATE OR REPLACE w SET b = 1 WHERE b = 3");      // evicts ('p', 1) by its key
  ASSERT_EQ(app_.Int("SELECT count(*) FROM w"), 1);
  ExpectReplayEqualsTable("w");
}

// An UPDATE of a column a partial index's condition reads brings the row into the index, onto the
// values of a row already there, which it evicts.
TEST_F(ChangeCaptureTest, AnUpdateThatBringsARowIntoAPartialUniqueIndexLogsTheEviction) {
  Watch("CREATE TABLE t (k INTEGER PRIMARY KEY, u TEXT, x INT); CREATE UNIQUE INDEX p ON t (u) WHERE x > 2", "t");
  app_.Exec("INSERT INTO t VALUES (1, 'c', 0), (3, 'c', 3)");
  app_.Exec("UPDATE OR REPLACE t SET x = 5 WHERE k = 1");
  ASSERT_EQ(app_.Int("SELECT count(*) FROM t"), 1);
  ExpectReplayEqualsTable("t");
}

// With recursive_triggers on, SQLite fires DELETE triggers for the rows REPLACE evicts; so does an
// application trigger that deletes the conflicting row itself. Each such row gets one DELETE.
TEST_F(ChangeCaptureTest, AnEvictedRowWhoseDeleteTriggerFiredIsLoggedOnce) {
  Watch("CREATE TABLE u (id INTEGER PRIMARY KEY, email TEXT UNIQUE)", "u");
  Watch("CREATE TABLE w (a TEXT, b INT, v TEXT UNIQUE, PRIMARY KEY (a, b)) WITHOUT ROWID", "w");
  app_.Exec("PRAGMA recursive_triggers = ON");
  app_.Exec("INSERT INTO u VALUES (1, 'a@x'), (2, 'b@x'), (3, 'c@x')");
  app_.Exec("INSERT OR REPLACE INTO u VALUES (4, 'a@x')");
  app_.Exec("UPDATE OR REPLACE u SET email = 'b@x' WHERE id = 3");
  app_.Exec("INSERT INTO w VALUES ('p', 1, 'one'), ('p', 2, 'two')");
  app_.Exec("UPDATE OR REPLACE w SET v = 'two' WHERE b = 1");
  EXPECT_EQ(app_.Int("SELECT count(*) FROM __cdc_log WHERE operation = 'DELETE'"), 3);
  ExpectReplayEqualsTable("u");
  ExpectReplayEqualsTable("w");
}

// An UPDATE OR IGNORE that skips a conflicting row, or an UPDATE that fails on one, evicts nothing:
// the rows it stashed before it are still there, and must not come out later as DELETEs.
TEST_F(ChangeCaptureTest, IgnoredAndFailedUpdatesLogNoPhantomDelete) {
  Watch("CREATE TABLE u (id INTEGER PRIMARY KEY, email TEXT UNIQUE, n INT)", "u");
  app_.Exec("INSERT INTO u VALUES (1, 'a@x', 0), (2, 'b@x', 0)");
  app_.Exec("UPDATE OR IGNORE u SET email = 'a@x' WHERE id = 2");
  EXPECT_NE(app_.TryExec("UPDATE u SET email = 'a@x' WHERE id = 2").find("UNIQUE constraint failed"),
            std::string::npos);
  app_.Exec("UPDATE OR IGNORE u SET email = 'a@x' WHERE id = 2");
  app_.Exec("DELETE FROM u WHERE id = 1");  // the row stashed by the ignored UPDATE goes, with its own DELETE
  app_.Exec("UPDATE u SET n = 1 WHERE id = 2");
  EXPECT_EQ(Operations(), (std::vector<std::string>{R"(INSERT {"id":1})", R"(INSERT {"id":2})", R"(DELETE {"id":1})",
                                                    R"(UPDATE {"id":2})"}));
  ExpectReplayEqualsTable("u");
}

TEST_F(ChangeCaptureTest, AConstraintFailureStillFailsTheWriteAndLogsNothing) {
  Watch("CREATE TABLE u (id INTEGER PRIMARY KEY, email TEXT UNIQUE)", "u");
  app_.Exec("INSERT INTO u VALUES (1, 'a@x')");
  EXPECT_NE(app_.TryExec("INSERT INTO u VALUES (2, 'a@x')").find("UNIQUE constraint failed"), std::string::npos);
  EXPECT_EQ(Operations(), (std::vector<std::string>{R"(INSERT {"id":1})"}));
  app_.Exec("INSERT INTO u VALUES (3, 'c@x')");
  ExpectReplayEqualsTable("u");
}

TEST_F(ChangeCaptureTest, UpdatesThatChangeNeitherImageNorKeyAreNotLogged) {
  Watch("CREATE TABLE u (id INTEGER PRIMARY KEY, name TEXT COLLATE NOCASE, photo BLOB, loose)", "u");
  app_.Exec("INSERT INTO u VALUES (1, 'Ann', x'00', 1)");
  app_.Exec("UPDATE u SET name = 'Ann'");   // same value
  app_.Exec("UPDATE u SET photo = x'FF'");  // only a column the image leaves out
  app_.Exec("UPDATE u SET name = 'ann'");   // equal under NOCASE, not in the image
  app_.Exec("UPDATE u SET loose = 1.0");    // equal as numbers, not in the image
  const auto log = ReadLog(app_);
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(StrictJson(log[1].after)["name"], "ann");
  EXPECT_EQ(StrictJson(log[2].after)["loose"].dump(), "1.0");
  ExpectReplayEqualsTable("u");
}

TEST_F(ChangeCaptureTest, UnchangedUpdatesAreLoggedWhenAskedFor) {
  Watch("CREATE TABLE u (id INTEGER PRIMARY KEY, name TEXT)", "u", /*keep_unchanged_updates=*/true);
  app_.Exec("INSERT INTO u VALUES (1, 'Ann'); UPDATE u SET name = 'Ann'");
  const auto log = ReadLog(app_);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[1].operation, "UPDATE");
  EXPECT_EQ(log[1].before, log[1].after);
}

TEST_F(ChangeCaptureTest, AKeyThatChangesOnlyInCaseIsANewKey) {
  Watch("CREATE TABLE u (code TEXT PRIMARY KEY COLLATE NOCASE, v INT) WITHOUT ROWID", "u");
  app_.Exec("INSERT INTO u VALUES ('A', 1); UPDATE u SET code = 'a'");
  EXPECT_EQ(Operations(),
            (std::vector<std::string>{R"(INSERT {"code":"A"})", R"(DELETE {"code":"A"})", R"(INSERT {"code":"a"})"}));
  ExpectReplayEqualsTable("u");
}

// Failures the schema fuzzer found in the trigger generation (tests/fuzz/schema_fuzzer.cc).

// A unique index may compare with its own collation, not the column's: the conflict the stash looks
// for must use the index's (here NOCASE on a BINARY column), or the eviction goes unlogged.
TEST_F(ChangeCaptureTest, ReplaceThroughACollatedUniqueIndexLogsTheEviction) {
  Watch(
      "CREATE TABLE u (id INTEGER PRIMARY KEY, email TEXT);"
      " CREATE UNIQUE INDEX email_nocase ON u (email COLLATE NOCASE)",
      "u");
  app_.Exec("INSERT INTO u VALUES (1, 'a@x')");
  app_.Exec("INSERT OR REPLACE INTO u VALUES (2, 'A@X')");
  ASSERT_EQ(app_.Int("SELECT count(*) FROM u"), 1);
  ExpectReplayEqualsTable("u");
}

// A column unique under two collations (BINARY for one key, NOCASE for another): SQLite folds the
// stash's `c = x COLLATE BINARY OR c = x COLLATE NOCASE` into one IN under a single collation, and
// the row equal only under the other was evicted without its DELETE, by INSERT and by UPDATE.
TEST_F(ChangeCaptureTest, AColumnUniqueUnderTwoCollationsLogsEvictionsThroughEither) {
  Watch("CREATE TABLE w (email TEXT, n INT, PRIMARY KEY (email COLLATE NOCASE), UNIQUE (email)) WITHOUT ROWID", "w");
  app_.Exec("INSERT INTO w VALUES ('a@x', 1), ('b@x', 2)");
  app_.Exec("INSERT OR REPLACE INTO w VALUES ('A@x', 3)");         // evicts 'a@x' through the NOCASE key
  app_.Exec("UPDATE OR REPLACE w SET email = 'B@X' WHERE n = 3");  // evicts 'b@x' the same way
  ASSERT_EQ(app_.Int("SELECT count(*) FROM w"), 1);
  ExpectReplayEqualsTable("w");
}

// Under REPLACE SQLite writes a NOT NULL column's default in place of a NULL after the BEFORE
// triggers ran: the row holding the default is evicted, and its DELETE must be logged.
TEST_F(ChangeCaptureTest, ANullReplacedByANotNullColumnsDefaultLogsTheRowItEvicts) {
  Watch("CREATE TABLE t (id INTEGER PRIMARY KEY, u TEXT NOT NULL DEFAULT 'x' UNIQUE, c)", "t");
  Watch("CREATE TABLE w (k TEXT NOT NULL DEFAULT 'x' PRIMARY KEY, n INT) WITHOUT ROWID", "w");
  app_.Exec("INSERT INTO t VALUES (1, 'x', 1), (2, 'y', 2)");
  app_.Exec("INSERT OR REPLACE INTO t VALUES (3, NULL, 3)");   // u becomes 'x': evicts row 1
  app_.Exec("UPDATE OR REPLACE t SET u = NULL WHERE id = 2");  // u becomes 'x': evicts row 3
  app_.Exec("INSERT INTO w VALUES ('x', 1)");
  app_.Exec("INSERT OR REPLACE INTO w VALUES (NULL, 2)");  // k becomes 'x': replaces that row
  ASSERT_EQ(app_.Int("SELECT count(*) FROM t"), 1);
  ExpectReplayEqualsTable("t");
  ExpectReplayEqualsTable("w");
}

// The schema fuzzer's find: a column two single-column keys compare gets a second term in each
// conflict check (see AColumnUniqueUnderTwoCollationsLogsEvictionsThroughEither), which must see
// the default too.
TEST_F(ChangeCaptureTest, ANullReplacedByTheDefaultOfAColumnUnderTwoKeysLogsTheRowItEvicts) {
  Watch(
      "CREATE TABLE v (c COLLATE NOCASE NOT NULL DEFAULT 'x', PRIMARY KEY (c), UNIQUE (c COLLATE BINARY)) "
      "WITHOUT ROWID",
      "v");
  app_.Exec("REPLACE INTO v VALUES (1), (NULL)");
  app_.Exec("REPLACE INTO v VALUES ('y'), (NULL)");  // evicts the 'x' row through both keys
  ASSERT_EQ(app_.Int("SELECT count(*) FROM v"), 3);
  ExpectReplayEqualsTable("v");
}

// Only a literal default is compared in its place: anything else (a bare word SQLite takes as a
// string, a function the application registered, an expression) left in a trigger would make the
// application's writes fail, on any connection without that function.
TEST_F(ChangeCaptureTest, AKeyColumnsDefaultThatIsNoLiteralNeverMakesAWriteFail) {
  Watch(
      "CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT NOT NULL UNIQUE DEFAULT abc, e INT NOT NULL UNIQUE DEFAULT (1 + "
      "1))",
      "t");
  // SQLite itself needs the function for a REPLACE on this table; plain writes never do.
  Watch("CREATE TABLE u (id INTEGER PRIMARY KEY, f TEXT NOT NULL UNIQUE DEFAULT (app_uuid()), v)", "u");
  app_.Exec("INSERT INTO t VALUES (1, 'a', 5)");
  app_.Exec("UPDATE t SET e = 6 WHERE id = 1");
  app_.Exec("INSERT OR REPLACE INTO t VALUES (2, 'a', 7)");  // evicts row 1 by k
  app_.Exec("INSERT INTO u VALUES (1, 'f', 0)");
  app_.Exec("UPDATE u SET v = 1 WHERE id = 1");
  ASSERT_EQ(app_.Int("SELECT count(*) FROM t"), 1);
  ExpectReplayEqualsTable("t");
  ExpectReplayEqualsTable("u");
}

// The eviction check looks the stashed rows up in the table by rowid or key; a table's own column
// named `rid` or `key` must not stand in for the stash's: here it lost a DELETE (a row whose rid
// equals its rowid made every evicted row look present) or invented one.
TEST_F(ChangeCaptureTest, ColumnsNamedLikeTheStashsOwnDoNotHideOrInventEvictions) {
  Watch("CREATE TABLE u (id INTEGER PRIMARY KEY, rid INT, email TEXT UNIQUE)", "u");
  Watch(
      "CREATE TABLE w (key TEXT, n INT, PRIMARY KEY (key, n)) WITHOUT ROWID;"
      " CREATE UNIQUE INDEX w_n ON w (n) WHERE key > 0",
      "w");
  app_.Exec("INSERT INTO u VALUES (1, 7, 'a@x'), (2, 2, 'b@x')");
  app_.Exec("INSERT OR REPLACE INTO u VALUES (3, 0, 'a@x')");
  app_.Exec("INSERT OR REPLACE INTO w VALUES ('-1', 0), ('0', 0)");  // both outside the partial index
  ASSERT_EQ(app_.Int("SELECT count(*) FROM w"), 2);
  ExpectReplayEqualsTable("u");
  ExpectReplayEqualsTable("w");
}

// WITHOUT ROWID tables log every stashed row as evicted; a row that only looks like a conflict
// (outside a partial index, or equal under the column's collation but not the index's) is not
// evicted, and a plain INSERT that succeeds must not log its DELETE.
TEST_F(ChangeCaptureTest, AWithoutRowidRowOutsideAPartialUniqueIndexGetsNoPhantomDelete) {
  Watch(
      "CREATE TABLE w (id INT PRIMARY KEY, code TEXT, active INT) WITHOUT ROWID;"
      " CREATE UNIQUE INDEX active_code ON w (code) WHERE active",
      "w");
  app_.Exec("INSERT INTO w VALUES (1, 'X', 0)");
  app_.Exec("INSERT INTO w VALUES (2, 'X', 1)");
  ASSERT_EQ(app_.Int("SELECT count(*) FROM w"), 2);
  ExpectReplayEqualsTable("w");
}

TEST_F(ChangeCaptureTest, AWithoutRowidRowEqualOnlyUnderTheColumnCollationGetsNoPhantomDelete) {
  Watch(
      "CREATE TABLE w (id INT PRIMARY KEY, code TEXT COLLATE NOCASE) WITHOUT ROWID;"
      " CREATE UNIQUE INDEX code_binary ON w (code COLLATE BINARY)",
      "w");
  app_.Exec("INSERT INTO w VALUES (1, 'x')");
  app_.Exec("INSERT INTO w VALUES (2, 'X')");
  ASSERT_EQ(app_.Int("SELECT count(*) FROM w"), 2);
  ExpectReplayEqualsTable("w");
}

// 1 and 1.0 are the same key to SQLite (IS, even COLLATE BINARY) but not the same key JSON: an
// untyped (or STRICT ANY) key column going from one to the other must be logged as a new key.
TEST_F(ChangeCaptureTest, AKeyThatChangesOnlyInTypeIsANewKey) {
  Watch("CREATE TABLE k (a PRIMARY KEY, v)", "k");
  app_.Exec("INSERT INTO k VALUES (1, 'x')");
  app_.Exec("UPDATE k SET a = 1.0");
  ExpectReplayEqualsTable("k");
}

// With any BEFORE INSERT trigger, SQLite checks a STRICT row's types before its NOT NULL
// constraints, so INSERT OR IGNORE of a row that breaks both would fail instead of skipping the
// row: STRICT tables get no eviction trigger (their REPLACE evictions are not logged; README).
TEST_F(ChangeCaptureTest, TheTriggersDoNotChangeWhetherAStrictInsertOrIgnoreSucceeds) {
  Watch("CREATE TABLE s (id INTEGER PRIMARY KEY, a TEXT NOT NULL, b INT) STRICT", "s");
  app_.Exec("CREATE TABLE plain (id INTEGER PRIMARY KEY, a TEXT NOT NULL, b INT) STRICT");
  ASSERT_EQ(app_.TryExec("INSERT OR IGNORE INTO plain VALUES (1, NULL, 1.5)"), "");
  EXPECT_EQ(app_.TryExec("INSERT OR IGNORE INTO s VALUES (1, NULL, 1.5)"), "");
}

}  // namespace
}  // namespace sqlite_cdc
