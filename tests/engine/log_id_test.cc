#include <gtest/gtest.h>

#include "schema/log_table_sql.h"
#include "sqlite_cdc/setup.h"
#include "support/app_db.h"
#include "support/temp_dir.h"

namespace sqlite_cdc {
namespace {

using testing::AppDb;
using testing::ReadLog;

// Acknowledges every row the way the drain does: deletes them but the highest and, in the same
// transaction, records the watermark.
void DrainAll(AppDb& db) {
  const auto names = schema::LogTableNames::For("__cdc_log");
  const long long last = db.Int("SELECT max(id) FROM __cdc_log");
  std::string remember = schema::RememberLastDeletedSql(names);
  remember.replace(remember.find("?1"), 2, std::to_string(last));
  std::string remove = schema::DeleteAcknowledgedSql(names);
  remove.replace(remove.find("?1"), 2, std::to_string(last));
  db.Exec("BEGIN; " + remove + "; " + remember + "; COMMIT;");
}

TEST(LogIdTest, IdsAreNeverReusedAfterTheLogWasDrainedEmptyAndEveryProcessRestarted) {
  testing::TempDir dir;
  const std::string path = dir.File("app.db");
  long long highest = 0;
  {
    AppDb app(path);
    app.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
    CaptureOptions options;
    options.db_path = path;
    ASSERT_TRUE(sqlite_cdc::Setup(options).ok());
    app.Exec("INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')");
    highest = ReadLog(app).back().id;
    DrainAll(app);
    ASSERT_EQ(testing::Backlog(app), 0);
  }
  AppDb reopened(path);  // a new connection: nothing is remembered in memory
  reopened.Exec("INSERT INTO t VALUES (4, 'd')");
  const auto log = ReadLog(reopened);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_GT(log[0].id, highest);
}

TEST(LogIdTest, IdsStrictlyIncreaseWithinAndAcrossTransactions) {
  testing::TempDir dir;
  AppDb app(dir.File("app.db"));
  app.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
  CaptureOptions options;
  options.db_path = dir.File("app.db");
  ASSERT_TRUE(sqlite_cdc::Setup(options).ok());
  app.Exec("BEGIN; INSERT INTO t VALUES (1, 'a'); UPDATE t SET v = 'b'; COMMIT; DELETE FROM t;");
  const auto log = ReadLog(app);
  ASSERT_EQ(log.size(), 3u);
  EXPECT_LT(log[0].id, log[1].id);
  EXPECT_LT(log[1].id, log[2].id);
}

// A log drained empty by an older version, whose triggers read the watermark: setup puts a
// high-water row back, so SQLite's own id allocation continues above the watermark.
TEST(LogIdTest, SetupOverALogDrainedEmptyByAnOlderVersionKeepsIdsAboveTheWatermark) {
  testing::TempDir dir;
  const std::string path = dir.File("app.db");
  AppDb app(path);
  app.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
  CaptureOptions options;
  options.db_path = path;
  ASSERT_TRUE(sqlite_cdc::Setup(options).ok());
  app.Exec("DELETE FROM __cdc_log; INSERT INTO __cdc_log_state VALUES (1, 500)");
  ASSERT_TRUE(sqlite_cdc::Setup(options).ok());
  app.Exec("INSERT INTO t VALUES (1, 'a')");
  const auto log = ReadLog(app);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].id, 501);
}

}  // namespace
}  // namespace sqlite_cdc
