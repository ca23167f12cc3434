// sqlite-cdc as a user runs it: a real process, a separate writer process committing, the JSON lines
// on its stdout, its exit code and stderr.
#include <gtest/gtest.h>
#include <signal.h>

#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "support/app_db.h"
#include "support/captured_db.h"
#include "support/json_check.h"
#include "support/process.h"

namespace sqlite_cdc {
namespace {

using testing::BackgroundProcess;
using testing::BinaryPath;
using testing::ReadFile;
using testing::RunProcess;
using testing::WaitUntil;
using testing::WriterPath;

// Log ids of the complete JSON lines in `output`; a line cut short by a SIGKILL is skipped.
std::vector<long long> EventIds(const std::string& output, int* partial_lines = nullptr) {
  std::vector<long long> ids;
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    try {
      ids.push_back(nlohmann::json::parse(line)["id"].get<long long>());
    } catch (const nlohmann::json::exception&) {
      if (partial_lines) ++*partial_lines;
    }
  }
  return ids;
}

class CdcCliTest : public testing::CapturedDbTest {
 protected:
  std::unique_ptr<BackgroundProcess> StartCdc(const std::vector<std::string>& extra = {}) {
    return StartCdcProcess({"--output", "json", "--poll-interval", "200ms"}, extra);
  }
};

TEST_F(CdcCliTest, StreamsAnotherProcessesCommitsCompleteAndInOrder) {
  SetUpCapture();
  auto cdc = StartCdc();
  const auto writer = RunProcess(WriterPath(), {path_, "600", "2000"});
  ASSERT_EQ(writer.exit_code, 0) << writer.err;
  ASSERT_TRUE(WaitUntil([&] { return EventIds(ReadFile(out_)).size() >= 600; })) << ReadFile(err_);
  cdc->Signal(SIGTERM);
  EXPECT_EQ(cdc->Wait(), 0) << ReadFile(err_);
  const auto ids = EventIds(ReadFile(out_));
  ASSERT_EQ(ids.size(), 600u) << "each change exactly once in steady state";
  for (size_t i = 1; i < ids.size(); ++i) ASSERT_LT(ids[i - 1], ids[i]);
  const auto first = nlohmann::json::parse(ReadFile(out_).substr(0, ReadFile(out_).find('\n')));
  EXPECT_EQ(first["table"], "items");
  EXPECT_EQ(first["operation"], "INSERT");
  EXPECT_EQ(first["key"], nlohmann::json::parse(R"({"id":0})"));
  EXPECT_TRUE(first["before"].is_null());
  EXPECT_EQ(Backlog(), 0);
}

TEST_F(CdcCliTest, SurvivesSigkillAtRandomMomentsWithoutLosingOrReorderingAChange) {
  SetUpCapture();
  constexpr int kChanges = 20000;
  constexpr int kBatch = 256;
  BackgroundProcess writer(WriterPath(), {path_, std::to_string(kChanges), "8000"}, dir_.File("writer.out"),
                           dir_.File("writer.err"));
  std::mt19937 random(12345);
  int kills = 0;
  for (; kills < 20; ++kills) {
    // Deliveries leave the log after every batch here, so a kill re-delivers at most the batch in
    // flight; by default they are grouped (--ack-interval), and a kill re-delivers what was
    // delivered since the last removal.
    auto cdc = StartCdc({"--batch-size", std::to_string(kBatch), "--ack-interval", "0ms"});
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(20, 150)(random)));
    cdc->Signal(SIGKILL);
    cdc->Wait();
  }
  ASSERT_EQ(writer.Wait(), 0) << ReadFile(dir_.File("writer.err"));
  auto last = StartCdc({"--batch-size", std::to_string(kBatch)});
  ASSERT_TRUE(WaitUntil([&] { return Backlog() == 0; }, 60)) << ReadFile(err_);
  last->Signal(SIGTERM);
  EXPECT_EQ(last->Wait(), 0);

  int partial_lines = 0;
  const auto ids = EventIds(ReadFile(out_), &partial_lines);
  EXPECT_LE(partial_lines, kills);
  // Every id from 1 to kChanges delivered at least once, first deliveries in increasing order, and a
  // repeat only of the batch in flight at a kill: never further back than one batch.
  std::set<long long> seen;
  long long highest = 0;
  size_t repeats = 0;
  for (long long id : ids) {
    if (id <= highest) {
      ++repeats;
      EXPECT_TRUE(seen.count(id)) << "id " << id << " arrived after a later one without being seen before";
      EXPECT_GT(id, highest - kBatch * 2) << "a repeat from further back than the batch in flight";
    }
    seen.insert(id);
    highest = std::max(highest, id);
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(kChanges));
  EXPECT_EQ(*seen.begin(), 1);
  EXPECT_EQ(*seen.rbegin(), kChanges);
  EXPECT_LE(repeats, static_cast<size_t>(kills * kBatch));
}

// The snapshot already holds the changes in the log when it is taken: each row arrives once.
TEST_F(CdcCliTest, BootstrapThenDrainDeliversTheLogTheSnapshotHoldsOnlyInTheSnapshot) {
  SetUpCapture();
  testing::AppDb(path_).Exec("INSERT INTO items (n) VALUES (1), (2), (3); UPDATE items SET n = 20 WHERE n = 2");
  const auto result =
      RunProcess(BinaryPath("sqlite-cdc"), {"--db", path_, "--bootstrap", "--drain", "--output", "json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::istringstream lines(result.out);
  std::string line;
  std::vector<nlohmann::json> events;
  while (std::getline(lines, line)) events.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(events.size(), 3u) << result.out;
  for (const auto& event : events) EXPECT_EQ(event.value("bootstrap", false), true) << event;
  EXPECT_EQ(events[1]["after"]["n"], 20);
  EXPECT_EQ(Backlog(), 0);
  EXPECT_EQ(testing::AppDb(path_).Int("SELECT last_deleted_id FROM __cdc_log_state"), 4);
}

// The lock is the database file's, not its path's: every other spelling of the same file meets it.
// An application transaction that holds the write lock past the engine's busy timeout is a
// transient fault: the engine keeps running, delivers each change once, and removes them later.
TEST_F(CdcCliTest, ABusyDatabaseIsWaitedOutWithoutExitOrRedelivery) {
  SetUpCapture();
  auto cdc = StartCdc({"--db-params", "_pragma=busy_timeout(100)", "--ack-interval", "20ms"});
  testing::AppDb app(path_);
  // Commits three changes and takes the write lock at once, before the engine, woken by the
  // commit, has delivered them and wants to delete them.
  app.Exec("INSERT INTO items (n) VALUES (1), (2), (3); BEGIN IMMEDIATE; INSERT INTO items (n) VALUES (4)");
  ASSERT_TRUE(WaitUntil([&] { return EventIds(ReadFile(out_)).size() == 3; })) << ReadFile(err_);
  testing::AppDb other(path_);
  other.Exec("PRAGMA busy_timeout = 5000");
  std::thread more([&] { other.Exec("INSERT INTO items (n) VALUES (5)"); });  // waits for the lock too
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  app.Exec("COMMIT");
  more.join();
  ASSERT_TRUE(WaitUntil([&] { return EventIds(ReadFile(out_)).size() >= 5 && Backlog() == 0; })) << ReadFile(err_);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  cdc->Signal(SIGTERM);
  EXPECT_EQ(cdc->Wait(), 0) << ReadFile(err_);
  EXPECT_EQ(EventIds(ReadFile(out_)), (std::vector<long long>{1, 2, 3, 4, 5}));
  EXPECT_NE(ReadFile(err_).find("database is locked"), std::string::npos) << "the wait is logged: " << ReadFile(err_);
}

TEST_F(CdcCliTest, ASecondInstanceRefusesToStartHoweverThePathIsSpelled) {
  SetUpCapture();
  testing::AppDb(path_).Exec("INSERT INTO items (n) VALUES (1)");
  auto first = StartCdc();
  // Its first event shows it holds the lock.
  ASSERT_TRUE(WaitUntil([&] { return EventIds(ReadFile(out_)).size() == 1; })) << ReadFile(err_);
  std::filesystem::create_symlink(path_, dir_.File("symlink.db"));
  std::filesystem::create_directory_symlink(dir_.path(), dir_.File("folder-link"));
  std::filesystem::create_hard_link(path_, dir_.File("hardlink.db"));
  const std::string relative = std::filesystem::relative(path_).string();
  for (const std::string& spelling : {path_, dir_.File("symlink.db"), dir_.File("folder-link") + "/app.db",
                                      dir_.File("hardlink.db"), relative, dir_.path().string() + "/./app.db"}) {
    SCOPED_TRACE(spelling);
    // --drain: without the lock the second engine would finish, not refuse.
    const auto second = RunProcess(BinaryPath("sqlite-cdc"), {"--db", spelling, "--drain", "--output", "json"});
    EXPECT_EQ(second.exit_code, 2) << second.err;
    EXPECT_NE(second.err.find("another sqlite-cdc engine (pid "), std::string::npos) << second.err;
    EXPECT_EQ(std::count(second.err.begin(), second.err.end(), '\n'), 1) << second.err;
    EXPECT_EQ(second.out, "");
  }
  testing::AppDb(path_).Exec("INSERT INTO items (n) VALUES (2)");
  ASSERT_TRUE(WaitUntil([&] { return EventIds(ReadFile(out_)).size() == 2; })) << ReadFile(err_);
  first->Signal(SIGINT);
  EXPECT_EQ(first->Wait(), 0);
  // Once the first is gone, any spelling may start.
  const auto next = RunProcess(BinaryPath("sqlite-cdc"), {"--db", dir_.File("hardlink.db"), "--drain"});
  EXPECT_EQ(next.exit_code, 0) << next.err;
}

TEST_F(CdcCliTest, BadInputIsOneLineExitTwoAndTheDatabaseUntouched) {
  const auto expect_refused = [&](const std::vector<std::string>& args, const std::string& cause) {
    const std::string before = ReadFile(path_);
    const auto result = RunProcess(BinaryPath("sqlite-cdc"), args);
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_NE(result.err.find(cause), std::string::npos) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_EQ(ReadFile(path_), before);
  };
  expect_refused({"--db", path_}, "sqlite-cdc-setup --setup");  // no setup done
  SetUpCapture();
  expect_refused({"--db", dir_.File("missing.db")}, "not found");
  expect_refused({"--db", path_, "--table", "nope"}, "no such table: nope");
  expect_refused({"--db", path_, "--output", "ftp://x"}, "unsupported --output");
  expect_refused({"--db", path_, "--batch-size", "many"}, "--batch-size");
  expect_refused({"--db", path_, "--poll-interval", "soon"}, "invalid duration");
}

// The library names its options (poll_interval); the program says them as its flags.
TEST_F(CdcCliTest, ALibraryErrorAboutAnOptionNamesTheFlag) {
  SetUpCapture();
  const auto result = RunProcess(BinaryPath("sqlite-cdc"), {"--db", path_, "--drain", "--poll-interval", "0ms"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err, "sqlite-cdc: --poll-interval must be positive\n");
}

TEST_F(CdcCliTest, BootstrapAloneDeliversTheTableAndExits) {
  {
    testing::AppDb app(path_);
    app.Exec("INSERT INTO items VALUES (1, 1, 'a'), (2, 2, 'b')");
  }
  SetUpCapture();
  const auto result = RunProcess(BinaryPath("sqlite-cdc"), {"--db", path_, "--bootstrap", "--output", "json"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  const auto second_line = result.out.substr(result.out.find('\n') + 1);
  const auto event = nlohmann::json::parse(second_line.substr(0, second_line.find('\n')));
  EXPECT_EQ(event["bootstrap"], true);
  EXPECT_EQ(event["after"], nlohmann::json::parse(R"({"id":2,"n":2,"note":"b"})"));
}

}  // namespace
}  // namespace sqlite_cdc

namespace sqlite_cdc {
namespace {

TEST_F(CdcCliTest, DrainDeliversTheBacklogAndExits) {
  SetUpCapture();
  const auto writer = RunProcess(WriterPath(), {path_, "300", "0"});
  ASSERT_EQ(writer.exit_code, 0) << writer.err;
  const auto result = RunProcess(BinaryPath("sqlite-cdc"), {"--db", path_, "--output", "json", "--drain"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto ids = EventIds(result.out);
  ASSERT_EQ(ids.size(), 300u);
  for (size_t i = 1; i < ids.size(); ++i) ASSERT_LT(ids[i - 1], ids[i]);
  EXPECT_EQ(Backlog(), 0);
  const auto both = RunProcess(BinaryPath("sqlite-cdc"), {"--db", path_, "--drain", "--cdc"});
  EXPECT_EQ(both.exit_code, 2) << "--drain and --cdc contradict each other";
}

TEST_F(CdcCliTest, TheCustomHandlerExampleReceivesTheChanges) {
  SetUpCapture();
  {
    testing::AppDb app(path_);
    app.Exec(
        "INSERT INTO items VALUES (1, 1, 'a'), (2, 2, 'b'); UPDATE items SET n = 3; DELETE FROM items WHERE id = 1");
  }
  const auto result = RunProcess(std::string(CDC_EXAMPLES_BIN_DIR) + "/custom_handler/custom_handler", {path_});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "items DELETE 1\nitems INSERT 2\nitems UPDATE 2\n");
  EXPECT_EQ(Backlog(), 0);
}

}  // namespace
}  // namespace sqlite_cdc
