// sqlite-cdc-setup run as a user runs it: a subprocess, its exit code, its stderr, the file after.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "support/app_db.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace sqlite_cdc {
namespace {

using testing::BinaryPath;
using testing::RunProcess;

std::string FileBytes(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream bytes;
  bytes << file.rdbuf();
  return bytes.str();
}

class SetupCliTest : public ::testing::Test {
 protected:
  SetupCliTest() : path_(dir_.File("app.db")) {
    testing::AppDb app(path_);
    app.Exec("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT); CREATE VIEW v AS SELECT 1;");
  }

  testing::ProcessResult Setup(std::vector<std::string> args) {
    return RunProcess(BinaryPath("sqlite-cdc-setup"), std::move(args));
  }

  // Bad input: exit 2, exactly one line on stderr naming the cause, the file byte for byte as before.
  void ExpectRefused(const std::vector<std::string>& args, const std::string& cause) {
    const std::string before = FileBytes(path_);
    const auto result = Setup(args);
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_NE(result.err.find(cause), std::string::npos) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_EQ(FileBytes(path_), before);
  }

  testing::TempDir dir_;
  std::string path_;
};

TEST_F(SetupCliTest, SetupThenTeardownSucceedQuietly) {
  auto result = Setup({"--db", path_, "--setup"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.err, "");
  testing::AppDb app(path_);
  EXPECT_EQ(app.Int("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'"),
            7);  // insert, update, delete, rekey, evict, update_stash, update_evicted
  result = Setup({"--db", path_, "--teardown"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(app.Int("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'"), 0);
}

TEST_F(SetupCliTest, BadInputIsOneLineExitTwoAndNoChange) {
  ExpectRefused({"--db", dir_.File("missing.db"), "--setup"}, "not found");
  ExpectRefused({"--db", path_, "--setup", "--table", "nope"}, "no such table: nope");
  ExpectRefused({"--db", path_, "--setup", "--table", "v"}, "v is a view");
  ExpectRefused({"--db", path_, "--setup", "--teardown"}, "excludes");
  ExpectRefused({"--db", path_, "--setup", "--bogus"}, "--bogus");
  ExpectRefused({"--db", path_}, "--setup or --teardown");
  ExpectRefused({"--setup"}, "--db");
  ExpectRefused({"--db", path_, "--setup", "--log-table", "users"}, "taken by a user table");
  // SQLite reserves names that begin with sqlite_ (any case): for the log's tables, and for the
  // triggers of a table named `sqlite` (found by the schema fuzzer: setup failed with SQLite's error).
  ExpectRefused({"--db", path_, "--setup", "--log-table", "SQLite_log"}, "SQLite reserves");
  ExpectRefused({"--db", path_, "--setup", "--log-table", "sqlite"}, "the log's table sqlite_state");
  testing::AppDb(path_).Exec("CREATE TABLE SQLite (id INTEGER PRIMARY KEY)");
  ExpectRefused({"--db", path_, "--setup", "--table", "sqlite"}, "sqlite cannot be watched");
  ExpectRefused({"--db", path_, "--setup"}, "SQLite reserves names that begin with sqlite_; rename the table");
}

// The library says which option keeps the changes (discard_undelivered); the program names its flag.
TEST_F(SetupCliTest, TeardownOfUndeliveredChangesNamesTheFlagThatDiscardsThem) {
  ASSERT_EQ(Setup({"--db", path_, "--setup"}).exit_code, 0);
  testing::AppDb(path_).Exec("INSERT INTO users VALUES (1, 'a@x')");
  ExpectRefused({"--db", path_, "--teardown"},
                "sqlite-cdc-setup: the log __cdc_log still holds 1 undelivered changes; drain them first, or discard "
                "them with --force\n");
  const auto forced = Setup({"--db", path_, "--teardown", "--force"});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
}

TEST_F(SetupCliTest, VersionAndHelpExitZero) {
  auto version = Setup({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.out.find("0."), std::string::npos);
  auto help = Setup({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--log-table"), std::string::npos);
}

}  // namespace
}  // namespace sqlite_cdc
