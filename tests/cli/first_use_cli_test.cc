// The three programs as a new user meets them: their help, their version, what a run prints when it
// ends, the default output, flags in either order around `status`, and the exit codes of a teardown
// with nothing to remove and of an interrupted bootstrap. Real binaries, real files.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <regex>
#include <sstream>
#include <thread>

#include "support/app_db.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace sqlite_cdc {
namespace {

using testing::BackgroundProcess;
using testing::BinaryPath;
using testing::ReadFile;
using testing::RunProcess;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

class FirstUseCliTest : public ::testing::Test {
 protected:
  FirstUseCliTest() : path_(dir_.File("app.db")) {
    testing::AppDb app(path_);
    app.Exec("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT); CREATE TABLE items (id INTEGER PRIMARY KEY)");
  }

  testing::ProcessResult Cdc(const std::vector<std::string>& args) {
    return RunProcess(BinaryPath("sqlite-cdc"), args);
  }
  testing::ProcessResult Setup(const std::vector<std::string>& args) {
    return RunProcess(BinaryPath("sqlite-cdc-setup"), args);
  }

  testing::TempDir dir_;
  std::string path_;
};

TEST_F(FirstUseCliTest, StatusTakesItsFlagsBeforeOrAfterTheSubcommand) {
  ASSERT_EQ(Setup({"--db", path_, "--setup"}).exit_code, 0);
  for (const bool json : {false, true}) {
    std::vector<std::string> after{"status", "--db", path_};
    std::vector<std::string> before{"--db", path_, "status"};
    if (json) after.push_back("--json"), before.push_back("--json");
    const auto usual = Cdc(after);
    ASSERT_EQ(usual.exit_code, 0) << usual.err;
    const auto flags_first = Cdc(before);
    EXPECT_EQ(flags_first.exit_code, 0) << flags_first.err;
    EXPECT_EQ(flags_first.out, usual.out);
  }
  // A streaming flag means nothing to status: refused, not ignored, on one line.
  const auto streaming = Cdc({"--db", path_, "--bootstrap", "status"});
  EXPECT_EQ(streaming.exit_code, 2);
  EXPECT_NE(streaming.err.find("--bootstrap does not apply to status"), std::string::npos) << streaming.err;
  EXPECT_EQ(Lines(streaming.err).size(), 1u) << streaming.err;
  const auto no_db = Cdc({"status"});
  EXPECT_EQ(no_db.exit_code, 2);
  EXPECT_NE(no_db.err.find("--db is required"), std::string::npos) << no_db.err;
}

TEST_F(FirstUseCliTest, HelpListsTheOutputsAndTheAwsVariablesWithoutParserNoise) {
  const std::regex noise(R"(:[A-Z]+ in \[|UINT|\d{20})");
  const std::vector<std::vector<std::string>> helps{{"sqlite-cdc", "--help"},
                                                    {"sqlite-cdc", "status", "--help"},
                                                    {"sqlite-cdc-setup", "--help"},
                                                    {"sqlite-cdc-restore", "--help"}};
  std::map<std::string, std::string> text;
  for (const auto& command : helps) {
    const auto result = RunProcess(BinaryPath(command[0]), {command.begin() + 1, command.end()});
    SCOPED_TRACE(command[0] + " " + command[1]);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_FALSE(std::regex_search(result.out, noise)) << result.out;
    text[command[0] + (command.size() > 2 ? " status" : "")] = result.out;
  }
  const std::string& cdc = text["sqlite-cdc"];
  for (const char* scheme : {"\n  -  ", "\n  json ", "http://", "https://", "kafka://", "s3://"}) {
    EXPECT_NE(cdc.find(scheme), std::string::npos) << scheme << "\n" << cdc;
  }
  for (const std::string program : {"sqlite-cdc", "sqlite-cdc-restore"}) {
    for (const char* variable : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION"}) {
      EXPECT_NE(text[program].find(variable), std::string::npos) << program << " " << variable;
    }
  }
  // Durations as a user writes them.
  EXPECT_NE(cdc.find("--http-timeout DURATION=10s"), std::string::npos) << cdc;
  EXPECT_NE(cdc.find("--kafka-timeout DURATION=30s"), std::string::npos) << cdc;
  EXPECT_EQ(cdc.find("000ms"), std::string::npos) << cdc;
  EXPECT_EQ(text["sqlite-cdc status"].find("s3://"), std::string::npos) << "the outputs are streaming's, not status'";
  // Nor in the parser's errors.
  const auto bad_id = RunProcess(BinaryPath("sqlite-cdc-restore"), {"--from", "s3://b/p", "--to", "x.db", "--id", "0"});
  EXPECT_EQ(bad_id.exit_code, 2);
  EXPECT_FALSE(std::regex_search(bad_id.err, noise)) << bad_id.err;
}

TEST_F(FirstUseCliTest, VersionNamesTheSqliteItRunsOn) {
  for (const std::string program : {"sqlite-cdc", "sqlite-cdc-setup", "sqlite-cdc-restore"}) {
    const auto result = RunProcess(BinaryPath(program), {"--version"});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.out.find(std::string("(SQLite ") + sqlite3_libversion() + ")"), std::string::npos)
        << program << ": " << result.out;
  }
}

TEST_F(FirstUseCliTest, DefaultOutputNamesTheRowAndEscapesControlCharacters) {
  {
    testing::AppDb app(path_);
    // A table name with a line break in it, and a key with DEL and U+009B (a terminal's CSI).
    app.Exec("CREATE TABLE \"odd\nname\" (k TEXT PRIMARY KEY)");
  }
  ASSERT_EQ(Setup({"--db", path_, "--setup", "--table", "odd\nname"}).exit_code, 0);
  testing::AppDb(path_).Exec("INSERT INTO \"odd\nname\" VALUES ('a' || char(127) || char(155) || 'b')");
  const auto result = Cdc({"--db", path_, "--drain"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto lines = Lines(result.out);
  ASSERT_EQ(lines.size(), 1u) << result.out;
  const std::regex line(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z: odd\\x0aname INSERT \{"k":"a\\x7f\\x9bb"\})");
  EXPECT_TRUE(std::regex_match(lines[0], line)) << lines[0];
}

TEST_F(FirstUseCliTest, SetupTeardownAndDrainEndWithOneLineOfWhatTheyDid) {
  const auto setup = Setup({"--db", path_, "--setup"});
  ASSERT_EQ(setup.exit_code, 0) << setup.err;
  EXPECT_EQ(setup.out, path_ + ": watching 2 tables (items, users), log __cdc_log\n");

  testing::AppDb(path_).Exec("INSERT INTO users (email) VALUES ('a'), ('b'); INSERT INTO items DEFAULT VALUES");
  const auto drain = Cdc({"--db", path_, "--drain", "--output", "json"});
  ASSERT_EQ(drain.exit_code, 0) << drain.err;
  EXPECT_EQ(Lines(drain.out).size(), 3u);
  ASSERT_FALSE(Lines(drain.err).empty());
  EXPECT_NE(Lines(drain.err).back().find("delivered 3 changes (log ids 1 to 3)"), std::string::npos) << drain.err;
  const auto empty = Cdc({"--db", path_, "--drain", "--output", "json"});
  EXPECT_NE(empty.err.find("delivered 0 changes\n"), std::string::npos) << empty.err;

  const auto one = Setup({"--db", path_, "--teardown", "--table", "items"});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(one.out, path_ + ": removed the triggers of 1 table (items); still watching 1 table (users)\n");
  const auto last = Setup({"--db", path_, "--teardown"});
  ASSERT_EQ(last.exit_code, 0) << last.err;
  EXPECT_EQ(last.out, path_ + ": removed the triggers of 1 table (users) and the log __cdc_log\n");
}

TEST_F(FirstUseCliTest, BootstrapEndsWithTheRowsItDelivered) {
  testing::AppDb(path_).Exec("INSERT INTO users (email) VALUES ('a'), ('b')");
  ASSERT_EQ(Setup({"--db", path_, "--setup"}).exit_code, 0);
  const auto result = Cdc({"--db", path_, "--bootstrap", "--output", "json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(Lines(result.err).back().find("delivered a snapshot of 2 rows"), std::string::npos) << result.err;
}

TEST_F(FirstUseCliTest, LogLinesCarryTheirTimeZone) {
  ASSERT_EQ(Setup({"--db", path_, "--setup"}).exit_code, 0);
  const auto result = Cdc({"--db", path_, "--drain", "--poll-only"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  ASSERT_FALSE(Lines(result.err).empty());
  const std::regex stamped(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d \w+ .*)");
  for (const std::string& line : Lines(result.err)) EXPECT_TRUE(std::regex_match(line, stamped)) << line;
}

TEST_F(FirstUseCliTest, TeardownOfADatabaseNeverSetUpSaysSoAndLeavesItAlone) {
  const std::string before = ReadFile(path_);
  const auto result = Setup({"--db", path_, "--teardown"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("no change log __cdc_log"), std::string::npos) << result.err;
  EXPECT_EQ(Lines(result.err).size(), 1u) << result.err;
  EXPECT_EQ(ReadFile(path_), before);
  EXPECT_EQ(testing::AppDb(path_).Text("PRAGMA journal_mode"), "delete");
}

// The output is a FIFO the test stops reading: the bootstrap is then surely part-way when the
// signal comes, blocked writing a batch, which it finishes once the test reads on.
TEST_F(FirstUseCliTest, AnInterruptedBootstrapExitsWith128PlusTheSignal) {
  testing::AppDb(path_).Exec(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) "
      "INSERT INTO users (email) SELECT 'user' || i || '@example.com' FROM n");
  ASSERT_EQ(Setup({"--db", path_, "--setup"}).exit_code, 0);
  for (const int signal : {SIGINT, SIGTERM}) {
    SCOPED_TRACE(signal);
    const std::string fifo = dir_.File("out" + std::to_string(signal));
    ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
    BackgroundProcess cdc(BinaryPath("sqlite-cdc"), {"--db", path_, "--bootstrap", "--output", "json"}, fifo,
                          dir_.File("err"));
    const int out = open(fifo.c_str(), O_RDONLY);
    ASSERT_GE(out, 0);
    char buffer[4096];
    ASSERT_GT(read(out, buffer, sizeof buffer), 0);
    cdc.Signal(signal);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    size_t delivered = 0;
    for (ssize_t n; (n = read(out, buffer, sizeof buffer)) > 0;) delivered += static_cast<size_t>(n);
    close(out);
    EXPECT_EQ(cdc.Wait(), 128 + signal) << ReadFile(dir_.File("err"));
    EXPECT_LT(delivered, 20000u * 60) << "stopped part-way";
    EXPECT_NE(ReadFile(dir_.File("err")).find("bootstrap interrupted by"), std::string::npos);
  }
}

}  // namespace
}  // namespace sqlite_cdc
