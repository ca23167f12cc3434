#include "sqlite_cdc/setup.h"

#include <gtest/gtest.h>

#include "support/app_db.h"
#include "support/captured_db.h"

namespace sqlite_cdc {
namespace {

using testing::AppDb;
using testing::ReadLog;
using testing::SchemaSnapshot;

class TriggerSetupTest : public testing::CapturedDbTest {
 protected:
  TriggerSetupTest()
      : CapturedDbTest(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);"
            "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, total REAL);"),
        app_(path_) {}

  CaptureOptions Options(std::vector<std::string> tables = {}) {
    CaptureOptions options;
    options.db_path = path_;
    options.tables = std::move(tables);
    return options;
  }

  std::vector<std::string> TriggerNames() { return testing::TriggerNames(app_); }

  AppDb app_;
};

TEST_F(TriggerSetupTest, WatchesEveryUserTableWhenNoneIsNamed) {
  ASSERT_TRUE(sqlite_cdc::Setup(Options()).ok());
  EXPECT_EQ(TriggerNames(), (std::vector<std::string>{
                                "orders__cdc_delete", "orders__cdc_evict", "orders__cdc_insert", "orders__cdc_rekey",
                                "orders__cdc_update", "orders__cdc_update_evicted", "orders__cdc_update_stash",
                                "users__cdc_delete", "users__cdc_evict", "users__cdc_insert", "users__cdc_rekey",
                                "users__cdc_update", "users__cdc_update_evicted", "users__cdc_update_stash"}));
}

TEST_F(TriggerSetupTest, SwitchesTheDatabaseToWal) {
  ASSERT_TRUE(sqlite_cdc::Setup(Options({"users"})).ok());
  AppDb fresh(path_);
  EXPECT_EQ(fresh.Text("PRAGMA journal_mode"), "wal");
}

TEST_F(TriggerSetupTest, SetupTwiceEqualsSetupOnce) {
  ASSERT_TRUE(sqlite_cdc::Setup(Options()).ok());
  const auto once = SchemaSnapshot(app_);
  const long long version = app_.Int("PRAGMA schema_version");
  ASSERT_TRUE(sqlite_cdc::Setup(Options()).ok());
  EXPECT_EQ(SchemaSnapshot(app_), once);
  EXPECT_EQ(app_.Int("PRAGMA schema_version"), version) << "a no-op setup must not touch the schema";
}

TEST_F(TriggerSetupTest, TeardownLeavesTheSchemaAsItWasBeforeSetup) {
  const auto before = SchemaSnapshot(app_);
  ASSERT_TRUE(sqlite_cdc::Setup(Options()).ok());
  ASSERT_TRUE(Teardown(Options()).ok());
  EXPECT_EQ(SchemaSnapshot(app_), before);
}

TEST_F(TriggerSetupTest, TearingDownSomeTablesKeepsTheLogForTheOthers) {
  ASSERT_TRUE(sqlite_cdc::Setup(Options()).ok());
  app_.Exec("INSERT INTO orders VALUES (1, 1, 9.5)");
  ASSERT_TRUE(Teardown(Options({"users"})).ok());
  EXPECT_EQ(TriggerNames(), (std::vector<std::string>{"orders__cdc_delete", "orders__cdc_evict", "orders__cdc_insert",
                                                      "orders__cdc_rekey", "orders__cdc_update",
                                                      "orders__cdc_update_evicted", "orders__cdc_update_stash"}));
  app_.Exec("INSERT INTO users VALUES (1, 'a@x'); INSERT INTO orders VALUES (2, 1, 1.0)");
  const auto log = ReadLog(app_);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].table, "orders");
  EXPECT_EQ(log[1].table, "orders");
}

TEST_F(TriggerSetupTest, TeardownRefusesToDropUndeliveredChangesUnlessForced) {
  ASSERT_TRUE(sqlite_cdc::Setup(Options()).ok());
  app_.Exec("INSERT INTO users VALUES (1, 'a@x')");
  const auto with_log = SchemaSnapshot(app_);
  const Status refused = Teardown(Options());
  EXPECT_EQ(refused.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(refused.message().find("1 undelivered"), std::string::npos) << refused.message();
  EXPECT_EQ(SchemaSnapshot(app_), with_log) << "a refused teardown must change nothing";
  EXPECT_TRUE(Teardown(Options(), TeardownOptions{true}).ok());
  EXPECT_TRUE(TriggerNames().empty());
}

TEST_F(TriggerSetupTest, SetupAfterAddColumnCapturesTheNewColumn) {
  ASSERT_TRUE(sqlite_cdc::Setup(Options({"users"})).ok());
  app_.Exec("ALTER TABLE users ADD COLUMN name TEXT");
  app_.Exec("INSERT INTO users VALUES (1, 'a@x', 'Ann')");
  EXPECT_EQ(*ReadLog(app_).back().after, R"({"id":1,"email":"a@x"})") << "old triggers do not know the column";
  ASSERT_TRUE(sqlite_cdc::Setup(Options({"users"})).ok());
  app_.Exec("INSERT INTO users VALUES (2, 'b@x', 'Bob')");
  EXPECT_EQ(*ReadLog(app_).back().after, R"({"id":2,"email":"b@x","name":"Bob"})");
}

TEST_F(TriggerSetupTest, SetupAfterRenameColumnUsesTheNewName) {
  ASSERT_TRUE(sqlite_cdc::Setup(Options({"users"})).ok());
  app_.Exec("ALTER TABLE users RENAME COLUMN email TO mail");
  ASSERT_TRUE(sqlite_cdc::Setup(Options({"users"})).ok());
  app_.Exec("INSERT INTO users VALUES (1, 'a@x')");
  EXPECT_EQ(*ReadLog(app_).back().after, R"({"id":1,"mail":"a@x"})");
}

TEST_F(TriggerSetupTest, SetupAfterRenameTableReplacesTheOldTriggers) {
  ASSERT_TRUE(sqlite_cdc::Setup(Options({"users"})).ok());
  app_.Exec("ALTER TABLE users RENAME TO people");
  ASSERT_TRUE(sqlite_cdc::Setup(Options({"people"})).ok());
  EXPECT_EQ(TriggerNames(), (std::vector<std::string>{"people__cdc_delete", "people__cdc_evict", "people__cdc_insert",
                                                      "people__cdc_rekey", "people__cdc_update",
                                                      "people__cdc_update_evicted", "people__cdc_update_stash"}));
  app_.Exec("INSERT INTO people VALUES (1, 'a@x')");
  const auto log = ReadLog(app_);
  ASSERT_EQ(log.size(), 1u) << "one insert, one log row";
  EXPECT_EQ(log[0].table, "people");
}

TEST_F(TriggerSetupTest, TableNamesAreMatchedAsSqliteMatchesThem) {
  ASSERT_TRUE(sqlite_cdc::Setup(Options({"USERS"})).ok());
  app_.Exec("INSERT INTO users VALUES (1, 'a@x')");
  EXPECT_EQ(ReadLog(app_).at(0).table, "users");
}

class BadSetupInputTest : public TriggerSetupTest {
 protected:
  // Runs setup and checks it failed as bad input, naming `cause`, with the database untouched.
  void ExpectRefused(const CaptureOptions& options, const std::string& cause,
                     Status::Code code = Status::Code::kInvalidArgument) {
    const auto schema_before = SchemaSnapshot(app_);
    const std::string mode_before = AppDb(path_).Text("PRAGMA journal_mode");
    const Status status = sqlite_cdc::Setup(options);
    EXPECT_EQ(status.code(), code) << status.ToString();
    EXPECT_NE(status.message().find(cause), std::string::npos) << status.message();
    EXPECT_EQ(status.message().find('\n'), std::string::npos);
    EXPECT_EQ(SchemaSnapshot(app_), schema_before);
    EXPECT_EQ(AppDb(path_).Text("PRAGMA journal_mode"), mode_before);
  }
};

TEST_F(BadSetupInputTest, UnknownTable) {
  ExpectRefused(Options({"users", "nope"}), "no such table: nope", Status::Code::kNotFound);
}

TEST_F(BadSetupInputTest, View) {
  app_.Exec("CREATE VIEW active AS SELECT * FROM users");
  ExpectRefused(Options({"active"}), "active is a view");
}

TEST_F(BadSetupInputTest, VirtualTable) {
  app_.Exec("CREATE VIRTUAL TABLE docs USING fts5(body)");
  ExpectRefused(Options({"docs"}), "docs is a virtual");
}

TEST_F(BadSetupInputTest, LogTableNameTakenByAUserTable) {
  CaptureOptions options = Options();
  options.log_table = "orders";
  ExpectRefused(options, "log table orders is taken by a user table; choose another log_table");
}

TEST_F(BadSetupInputTest, MalformedDbParams) {
  CaptureOptions options = Options();
  options.db_params = "_pragma=journal_mode";
  ExpectRefused(options, "db_params: malformed pragma");
}

TEST_F(BadSetupInputTest, TableWatchedByAnotherLog) {
  ASSERT_TRUE(sqlite_cdc::Setup(Options({"users"})).ok());
  CaptureOptions options = Options({"users"});
  options.log_table = "other_log";
  ExpectRefused(options, "already watched by another log");
}

TEST_F(BadSetupInputTest, MissingDatabaseFileIsNotCreated) {
  CaptureOptions options = Options();
  options.db_path = dir_.File("missing.db");
  const Status status = sqlite_cdc::Setup(options);
  EXPECT_EQ(status.code(), Status::Code::kNotFound);
  EXPECT_NE(status.message().find("not found"), std::string::npos) << status.message();
  EXPECT_FALSE(std::filesystem::exists(options.db_path));
}

TEST_F(BadSetupInputTest, FileThatIsNotADatabase) {
  const std::string path = dir_.File("notes.txt");
  FILE* file = fopen(path.c_str(), "w");
  fputs("these are not the pages you are looking for, not at all, no sqlite header here\n", file);
  fclose(file);
  CaptureOptions options = Options();
  options.db_path = path;
  const Status status = sqlite_cdc::Setup(options);
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(status.message().find("not an SQLite database"), std::string::npos) << status.message();
}

}  // namespace
}  // namespace sqlite_cdc
