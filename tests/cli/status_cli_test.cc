// `sqlite-cdc status` as an operator runs it: the real binary on a real database, between the
// application's writes, a drain and an ALTER TABLE.
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <filesystem>

#include "sqlite_cdc/setup.h"
#include "support/app_db.h"
#include "support/captured_db.h"
#include "support/json_check.h"
#include "support/process.h"

namespace sqlite_cdc {
namespace {

using testing::BinaryPath;
using testing::ProcessResult;
using testing::ReadFile;
using testing::RunProcess;

// RFC 3339 with milliseconds, as the triggers write it.
std::string Rfc3339(std::chrono::system_clock::time_point at) {
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
  const std::time_t seconds = millis / 1000;
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &parts);
  char with_millis[40];
  std::snprintf(with_millis, sizeof with_millis, "%s.%03dZ", text, static_cast<int>(millis % 1000));
  return with_millis;
}

class StatusCliTest : public testing::CapturedDbTest {
 protected:
  StatusCliTest()
      : CapturedDbTest(std::string(testing::kItemsTable) +
                       "; CREATE TABLE photos (id INTEGER PRIMARY KEY, image BLOB)") {}

  ProcessResult Status(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"status", "--db", path_};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunProcess(BinaryPath("sqlite-cdc"), args);
  }

  nlohmann::json StatusJson(std::vector<std::string> extra = {}) {
    extra.push_back("--json");
    const ProcessResult result = Status(extra);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(std::count(result.out.begin(), result.out.end(), '\n'), 1) << "one JSON object on one line";
    return nlohmann::json::parse(result.out);
  }

  // triggers_match of each table, by name.
  static std::map<std::string, bool> TriggersMatch(const nlohmann::json& status) {
    std::map<std::string, bool> match;
    for (const auto& table : status["tables"]) match[table["name"]] = table["triggers_match"];
    return match;
  }
};

TEST_F(StatusCliTest, ReportsTheBacklogAndTheOldestChangesAgeWhileTheApplicationWrites) {
  SetUpCapture();
  testing::AppDb app(path_);  // stays open: the changes are in the -wal file, not yet checkpointed
  app.Exec("INSERT INTO items VALUES (1, 1, 'a'), (2, 2, 'b'); UPDATE items SET n = 3 WHERE id = 1");
  const std::string an_hour_ago = Rfc3339(std::chrono::system_clock::now() - std::chrono::hours(1));
  app.Exec("UPDATE __cdc_log SET timestamp = '" + an_hour_ago + "' WHERE id = 1");

  const nlohmann::json status = StatusJson();
  EXPECT_EQ(status["database"], path_);
  EXPECT_EQ(status["log_table"], "__cdc_log");
  EXPECT_EQ(status["backlog"], 3);
  EXPECT_EQ(status["oldest_id"], 1);
  EXPECT_EQ(status["oldest_timestamp"], an_hour_ago);
  EXPECT_GE(status["oldest_age_seconds"].get<double>(), 3600.0);
  EXPECT_LT(status["oldest_age_seconds"].get<double>(), 3660.0);
  EXPECT_EQ(status["last_delivered_id"], 0);
  EXPECT_GT(status["log_bytes"].get<long long>(), 0);
  EXPECT_EQ(status["log_bytes_source"], "dbstat") << "Debian's SQLite has the dbstat table";
  EXPECT_EQ(status["drifted"], 0);
  EXPECT_EQ(TriggersMatch(status), (std::map<std::string, bool>{{"items", true}, {"photos", true}}));

  const ProcessResult text = Status();
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("backlog:         3 changes\n"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("oldest change:   id 1 at " + an_hour_ago + ", 1h 0m ago\n"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("  items: triggers match its columns\n"), std::string::npos) << text.out;
}

TEST_F(StatusCliTest, AfterADrainTheBacklogIsEmptyAndTheLastDeliveredIdIsTheLastChange) {
  SetUpCapture();
  testing::AppDb(path_).Exec("INSERT INTO items VALUES (1, 1, 'a'), (2, 2, 'b'), (3, 3, 'c')");
  const ProcessResult drain = RunProcess(BinaryPath("sqlite-cdc"), {"--db", path_, "--drain", "--output", "json"});
  ASSERT_EQ(drain.exit_code, 0) << drain.err;

  const nlohmann::json status = StatusJson();
  EXPECT_EQ(status["backlog"], 0);
  EXPECT_TRUE(status["oldest_id"].is_null());
  EXPECT_TRUE(status["oldest_timestamp"].is_null());
  EXPECT_TRUE(status["oldest_age_seconds"].is_null());
  EXPECT_EQ(status["last_delivered_id"], 3);
  const ProcessResult text = Status();
  EXPECT_NE(text.out.find("oldest change:   none, the log is empty\n"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("last delivered:  id 3\n"), std::string::npos) << text.out;
}

TEST_F(StatusCliTest, ATableAlteredSinceSetupIsReportedAsDrifted) {
  SetUpCapture();
  testing::AppDb(path_).Exec("ALTER TABLE items ADD COLUMN added TEXT");

  const nlohmann::json status = StatusJson();
  EXPECT_EQ(status["drifted"], 1);
  EXPECT_EQ(TriggersMatch(status), (std::map<std::string, bool>{{"items", false}, {"photos", true}}));
  const ProcessResult text = Status();
  EXPECT_NE(text.out.find("watched tables:  2, 1 with outdated triggers\n"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("  items: TRIGGERS OUTDATED"), std::string::npos) << text.out;
  EXPECT_EQ(TriggersMatch(StatusJson({"--table", "photos"})), (std::map<std::string, bool>{{"photos", true}}));
}

TEST_F(StatusCliTest, TriggersAreJudgedAgainstTheCaptureOptionsStoredAtSetup) {
  SetUpCapture(/*blobs=*/true);
  EXPECT_EQ(TriggersMatch(StatusJson())["photos"], true);
  EXPECT_EQ(TriggersMatch(StatusJson({"--blobs"}))["photos"], true);
}

TEST_F(StatusCliTest, WithoutStoredOptionsTriggersAreJudgedAgainstTheCaptureFlagsGiven) {
  SetUpCapture(/*blobs=*/true);
  testing::AppDb(path_).Exec("DROP TABLE __cdc_log_config");  // as the version that stored nothing left it
  EXPECT_EQ(TriggersMatch(StatusJson({"--blobs"}))["photos"], true);
  EXPECT_EQ(TriggersMatch(StatusJson())["photos"], false) << "without --blobs setup would leave the BLOB out";
}

TEST_F(StatusCliTest, NeverChangesTheDatabase) {
  SetUpCapture();
  testing::AppDb(path_).Exec("INSERT INTO items VALUES (1, 1, 'a'); ALTER TABLE items ADD COLUMN added TEXT");
  const std::string bytes = ReadFile(path_);
  const auto modified = std::filesystem::last_write_time(path_);
  ASSERT_FALSE(std::filesystem::exists(path_ + "-wal")) << "the last connection checkpointed and removed it";

  EXPECT_EQ(Status().exit_code, 0);
  StatusJson();
  // Not with the streaming command's --db-params either: journal_mode(wal) is not applied.
  EXPECT_EQ(Status({"--db-params", "_pragma=journal_mode(delete)"}).exit_code, 0);

  EXPECT_EQ(ReadFile(path_), bytes);
  EXPECT_EQ(std::filesystem::last_write_time(path_), modified);
  // A reader of a WAL database creates the -wal file; nothing was written to it.
  EXPECT_EQ(ReadFile(path_ + "-wal"), "");
}

TEST_F(StatusCliTest, WithoutSetupOrFileItExitsTwoWithOneLine) {
  const auto expect_refused = [&](const std::vector<std::string>& args, const std::string& cause) {
    const ProcessResult result = RunProcess(BinaryPath("sqlite-cdc"), args);
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_NE(result.err.find(cause), std::string::npos) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_EQ(result.out, "");
  };
  const std::string bytes = ReadFile(path_);
  expect_refused({"status", "--db", path_}, "no change log __cdc_log");
  expect_refused({"status", "--db", path_, "--json"}, "run sqlite-cdc-setup --setup first");
  EXPECT_EQ(ReadFile(path_), bytes);
  expect_refused({"status", "--db", dir_.File("missing.db")}, "not found");
  expect_refused({"status"}, "--db is required");
  SetUpCapture();
  expect_refused({"status", "--db", path_, "--log-table", "other_log"}, "no change log other_log");
  expect_refused({"status", "--db", path_, "--table", "nope"}, "no such table: nope");
  expect_refused({"--output", "json", "status", "--db", path_}, "--output");
  expect_refused({}, "--db is required");
}

}  // namespace
}  // namespace sqlite_cdc
