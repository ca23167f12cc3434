// A corrupt log id bookkeeping (<log>_state.last_deleted_id) as an operator meets it: the engine
// refuses to start with one line naming the table and the fix, and `sqlite-cdc status` reports it;
// nothing is silently left undelivered.
#include <gtest/gtest.h>

#include <algorithm>

#include "support/app_db.h"
#include "support/captured_db.h"
#include "support/json_check.h"
#include "support/process.h"

namespace sqlite_cdc {
namespace {

using testing::BinaryPath;
using testing::ProcessResult;
using testing::RunProcess;

class LogStateCliTest : public testing::CapturedDbTest {
 protected:
  LogStateCliTest() : CapturedDbTest("CREATE TABLE items (id INTEGER PRIMARY KEY, n INTEGER)") {
    SetUpCapture();
    testing::AppDb app(path_);
    // Three changes delivered and removed: last_deleted_id is 3.
    app.Exec("INSERT INTO items (n) VALUES (1), (2), (3)");
    EXPECT_EQ(Drain().exit_code, 0);
    EXPECT_EQ(app.Int("SELECT last_deleted_id FROM __cdc_log_state"), 3);
  }

  ProcessResult Drain() { return RunProcess(BinaryPath("sqlite-cdc"), {"--db", path_, "--drain", "--output", "json"}); }

  // The engine refuses with one line naming `cause` and the state table, delivering nothing and
  // leaving the log as it was; status says the same with exit 1.
  void ExpectRefused(const std::string& cause) {
    testing::AppDb app(path_);
    const long long backlog = app.Int("SELECT count(*) FROM __cdc_log");
    const ProcessResult drain = Drain();
    EXPECT_EQ(drain.exit_code, 2) << drain.err;
    EXPECT_EQ(drain.out, "");
    EXPECT_EQ(std::count(drain.err.begin(), drain.err.end(), '\n'), 1) << drain.err;
    EXPECT_NE(drain.err.find(cause), std::string::npos) << drain.err;
    EXPECT_NE(drain.err.find("__cdc_log_state"), std::string::npos) << drain.err;
    EXPECT_EQ(app.Int("SELECT count(*) FROM __cdc_log"), backlog);

    const ProcessResult status = RunProcess(BinaryPath("sqlite-cdc"), {"status", "--db", path_, "--json"});
    EXPECT_EQ(status.exit_code, 1) << status.err;
    const nlohmann::json report = nlohmann::json::parse(status.out);
    ASSERT_TRUE(report["log_state_problem"].is_string()) << status.out;
    EXPECT_NE(report["log_state_problem"].get<std::string>().find(cause), std::string::npos) << status.out;
    const ProcessResult text = RunProcess(BinaryPath("sqlite-cdc"), {"status", "--db", path_});
    EXPECT_EQ(text.exit_code, 1);
    EXPECT_NE(text.out.find("log ids:         INCONSISTENT: "), std::string::npos) << text.out;
  }
};

TEST_F(LogStateCliTest, ANegativeLastDeletedIdIsRefusedInsteadOfLosingTheNewChanges) {
  testing::AppDb app(path_);
  app.Exec("UPDATE __cdc_log_state SET last_deleted_id = -10");
  app.Exec("INSERT INTO items (n) VALUES (4), (5)");  // ids 4 and 5: the engine would also re-send 3
  ExpectRefused("last_deleted_id is -10, below 0");
  // The fix the message gives brings exactly the new changes out.
  app.Exec("UPDATE __cdc_log_state SET last_deleted_id = 3");
  const ProcessResult drain = Drain();
  ASSERT_EQ(drain.exit_code, 0) << drain.err;
  EXPECT_EQ(std::count(drain.out.begin(), drain.out.end(), '\n'), 2) << drain.out;
  const ProcessResult status = RunProcess(BinaryPath("sqlite-cdc"), {"status", "--db", path_, "--json"});
  EXPECT_EQ(status.exit_code, 0) << status.out;
  EXPECT_TRUE(nlohmann::json::parse(status.out)["log_state_problem"].is_null()) << status.out;
}

TEST_F(LogStateCliTest, ALastDeletedIdThatIsNotAnIntegerIsRefused) {
  testing::AppDb app(path_);
  app.Exec("UPDATE __cdc_log_state SET last_deleted_id = 'three'");
  app.Exec("INSERT INTO items (n) VALUES (4)");
  ExpectRefused("last_deleted_id is 'three' (text), not an integer");
  app.Exec("UPDATE __cdc_log_state SET last_deleted_id = 2.5");
  ExpectRefused("(real), not an integer");
}

// The log keeps its highest delivered row (id 3 here, the high-water row that keeps ids from being
// reused); any other row at or below last_deleted_id would never be delivered.
TEST_F(LogStateCliTest, ChangesBelowTheLastDeletedIdAreRefused) {
  testing::AppDb app(path_);
  app.Exec("INSERT INTO items (n) VALUES (4), (5)");  // ids 4 and 5
  app.Exec("UPDATE __cdc_log_state SET last_deleted_id = 100");
  ExpectRefused("holds 3 changes with ids below __cdc_log_state.last_deleted_id 100 (lowest 3)");
}

TEST_F(LogStateCliTest, ChangesWithIdsAtOrBelowZeroAreRefused) {
  testing::AppDb app(path_);
  app.Exec("UPDATE __cdc_log_state SET last_deleted_id = 0");
  app.Exec(
      "INSERT INTO __cdc_log (id, timestamp, tablename, operation, key, after) "
      "VALUES (0, '2026-01-01T00:00:00.000Z', 'items', 'INSERT', '{\"id\":9}', '{\"id\":9,\"n\":9}')");
  ExpectRefused("holds 1 changes with ids at or below 0");
}

TEST_F(LogStateCliTest, AConsistentStateIsReportedAsSuch) {
  testing::AppDb(path_).Exec("INSERT INTO items (n) VALUES (4)");
  const ProcessResult text = RunProcess(BinaryPath("sqlite-cdc"), {"status", "--db", path_});
  EXPECT_EQ(text.exit_code, 0) << text.out;
  EXPECT_NE(text.out.find("log ids:         consistent\n"), std::string::npos) << text.out;
  const ProcessResult drain = Drain();
  EXPECT_EQ(drain.exit_code, 0) << drain.err;
  EXPECT_NE(drain.out.find("\"id\":4,"), std::string::npos) << drain.out;
}

}  // namespace
}  // namespace sqlite_cdc
