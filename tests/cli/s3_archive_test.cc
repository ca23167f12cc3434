// sqlite-cdc --output s3://... and sqlite-cdc-restore as a user runs them, against s3rver on
// loopback: the restored database equals the source, row for row, at the end and at any point.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "sinks/net/http_client.h"
#include "sinks/s3/archive_layout.h"
#include "support/app_db.h"
#include "support/captured_db.h"
#include "support/process.h"
#include "support/s3_test_server.h"

namespace sqlite_cdc {
namespace {

using std::chrono::milliseconds;
using testing::AppDb;
using testing::BackgroundProcess;
using testing::ReadFile;
using testing::RunProcess;
using testing::WaitUntil;

constexpr int kWideColumns = 100;

// Every row of `table`, each value quoted by SQLite itself (type-exact: 1 vs 1.0 vs '1' vs X'01').
std::vector<testing::Row> Dump(AppDb& db, const std::string& table) {
  std::string values;
  for (const auto& row : db.Rows("SELECT name FROM pragma_table_info('" + table + "')")) {
    values += (values.empty() ? "quote(\"" : " || ',' || quote(\"") + *row[0] + "\")";
  }
  return db.Rows("SELECT " + values + " FROM \"" + table + "\" ORDER BY 1");
}

// Tables of every kind the archive must carry: blobs, a composite key WITHOUT ROWID, no declared
// key, more columns than one SQL function takes.
std::string SourceSchema() {
  std::string wide = "CREATE TABLE wide (id INTEGER PRIMARY KEY";
  for (int i = 1; i <= kWideColumns; ++i) wide += ", c" + std::to_string(i);
  return "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, score REAL, avatar BLOB);"
         "CREATE TABLE \"order lines\" (\"order\" INTEGER, line INTEGER, qty, note TEXT, "
         "PRIMARY KEY (\"order\", line)) WITHOUT ROWID;"
         "CREATE TABLE events (kind TEXT, payload TEXT);" +
         wide + ")";
}

class S3ArchiveTest : public testing::CapturedDbTest {
 protected:
  S3ArchiveTest() : CapturedDbTest(SourceSchema()), server_("cdc-test") {
    setenv("AWS_ACCESS_KEY_ID", "S3RVER", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "S3RVER", 1);
    AppDb(path_).Exec("INSERT INTO users VALUES (100, 'before@x', 0.5, x'0102'), (101, NULL, NULL, NULL)");
  }

  std::string Url() const { return "s3://cdc-test/apps/one?endpoint=" + server_.endpoint(); }

  std::unique_ptr<BackgroundProcess> StartCdc(const std::vector<std::string>& extra = {}) {
    return StartCdcProcess(
        {"--blobs", "--output", Url(), "--batch-size", "7", "--poll-interval", "100ms", "--retry-initial-backoff",
         "20ms", "--retry-max-backoff", "200ms", "--retry-attempts", "1000"},
        extra);
  }

  // One round of application writes over every table: inserts, updates, deletes, NULLs, blobs.
  void Write(int round) {
    AppDb app(path_);
    const std::string r = std::to_string(round);
    app.Exec("BEGIN");
    app.Exec("INSERT INTO users VALUES (" + r + ", 'u" + r + "@x', " + r + ".25, x'" + (round % 2 ? "CAFE" : "") +
             "')");
    app.Exec("UPDATE users SET email = NULL, score = 9e999 WHERE id = 101");
    app.Exec("INSERT INTO \"order lines\" VALUES (" + r + ", 1, 3, 'three'), (" + r + ", 2, 'x', NULL)");
    app.Exec("COMMIT");
    app.Exec("UPDATE \"order lines\" SET line = 3 WHERE \"order\" = " + r + " AND line = 2");
    app.Exec("INSERT INTO events VALUES ('round', '" + r + "'), ('tmp', NULL)");
    app.Exec("DELETE FROM events WHERE kind = 'tmp'");
    std::string columns = "id", values = r;
    for (int i = 1; i <= kWideColumns; ++i) {
      columns += ", c" + std::to_string(i);
      values += i % 3 == 0 ? ", NULL" : ", " + std::to_string(round * 1000 + i);
    }
    app.Exec("INSERT INTO wide (" + columns + ") VALUES (" + values + ")");
    if (round > 1) app.Exec("DELETE FROM users WHERE id = " + std::to_string(round - 1));
    app.Exec("UPDATE wide SET c99 = NULL, c100 = 'text' WHERE id = " + r);
  }

  void WaitDrained() {
    ASSERT_TRUE(WaitUntil([&] { return Backlog() == 0; }, 60)) << ReadFile(err_);
  }

  // A bootstrap, then three rounds of writes drained in small batches, an object per batch.
  void ArchiveASnapshotThenThreeRounds() {
    const std::vector<std::string> s3{
        "--db", path_, "--blobs", "--output", Url(), "--batch-size", "7", "--s3-max-object-changes", "7"};
    std::vector<std::string> bootstrap = s3;
    bootstrap.push_back("--bootstrap");
    ASSERT_EQ(RunProcess(testing::BinaryPath("sqlite-cdc"), bootstrap).exit_code, 0);
    for (int round = 1; round <= 3; ++round) Write(round);
    std::vector<std::string> drain = s3;
    drain.push_back("--drain");
    ASSERT_EQ(RunProcess(testing::BinaryPath("sqlite-cdc"), drain).exit_code, 0);
  }

  testing::ProcessResult Restore(const std::string& to, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--from", Url(), "--to", to};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunProcess(testing::BinaryPath("sqlite-cdc-restore"), args);
  }

  void ExpectSameTables(const std::string& expected_path, const std::string& restored_path) {
    AppDb expected(expected_path), restored(restored_path);
    for (const char* table : {"users", "order lines", "events", "wide"}) {
      EXPECT_EQ(Dump(restored, table), Dump(expected, table)) << table;
    }
  }

  // A consistent copy of the source as it is now.
  std::string CopySource(const std::string& name) {
    AppDb(path_).Exec("VACUUM INTO '" + dir_.File(name) + "'");
    return dir_.File(name);
  }

  testing::S3TestServer server_;
};

TEST_F(S3ArchiveTest, RestoresADatabaseEqualToTheSourceRowForRow) {
  SetUpCapture(/*blobs=*/true);
  auto cdc = StartCdc({"--bootstrap", "--cdc"});
  for (int round = 1; round <= 6; ++round) Write(round);
  WaitDrained();
  cdc->Signal(SIGTERM);
  ASSERT_EQ(cdc->Wait(), 0) << ReadFile(err_);

  const auto result = Restore(dir_.File("restored.db"));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  // The bootstrap ran beside the writer, so how much the snapshot holds varies; that it is used does not.
  EXPECT_EQ(result.out.find(": 0 snapshot rows"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find(" snapshot rows, "), std::string::npos) << result.out;
  ExpectSameTables(path_, dir_.File("restored.db"));
  AppDb restored(dir_.File("restored.db"));
  EXPECT_EQ(restored.Text("SELECT typeof(avatar) || hex(avatar) FROM users WHERE id = 100"), "blob0102")
      << "blobs come back as bytes from the snapshot";
  EXPECT_EQ(restored.Text("SELECT typeof(avatar) || hex(avatar) FROM users WHERE id = 6"), "blob")
      << "and from the changes";
  EXPECT_EQ(restored.Text("SELECT typeof(score) FROM users WHERE id = 101"), "real") << "Infinity stays a real";
}

TEST_F(S3ArchiveTest, RestoresToAMomentInTheMiddleByTimeAndById) {
  SetUpCapture(/*blobs=*/true);
  auto cdc = StartCdc({"--bootstrap", "--cdc"});
  for (int round = 1; round <= 3; ++round) Write(round);
  WaitDrained();
  const std::string middle = CopySource("middle.db");
  const long long middle_id = AppDb(path_).Int("SELECT last_deleted_id FROM __cdc_log_state");
  std::this_thread::sleep_for(milliseconds(30));
  const auto moment = std::chrono::system_clock::now();
  std::this_thread::sleep_for(milliseconds(30));
  for (int round = 4; round <= 6; ++round) Write(round);
  WaitDrained();
  cdc->Signal(SIGTERM);
  ASSERT_EQ(cdc->Wait(), 0) << ReadFile(err_);

  const std::time_t seconds = std::chrono::system_clock::to_time_t(moment);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char text[40];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &parts);
  const auto millis = std::chrono::duration_cast<milliseconds>(moment.time_since_epoch()).count() % 1000;
  const std::string timestamp = std::string(text) + "." + std::to_string(1000 + millis).substr(1) + "Z";

  auto by_time = Restore(dir_.File("by-time.db"), {"--timestamp", timestamp});
  ASSERT_EQ(by_time.exit_code, 0) << by_time.err;
  ExpectSameTables(middle, dir_.File("by-time.db"));
  auto by_id = Restore(dir_.File("by-id.db"), {"--id", std::to_string(middle_id)});
  ASSERT_EQ(by_id.exit_code, 0) << by_id.err;
  // The bootstrap ran beside the writer: the point is reached by applying changes, or the snapshot
  // taken there already is the point.
  const std::string id = std::to_string(middle_id);
  const bool applied_up_to_it = by_id.out.find("up to log id " + id + " (") != std::string::npos;
  const bool snapshot_is_it =
      by_id.out.find("log id " + id + "): ") != std::string::npos && by_id.out.find(" 0 changes") != std::string::npos;
  EXPECT_TRUE(applied_up_to_it || snapshot_is_it) << by_id.out;
  ExpectSameTables(middle, dir_.File("by-id.db"));
}

// A log drained elsewhere before the archive began: its snapshot follows the last delivered id, and
// the archive's changes continue from the next one.
TEST_F(S3ArchiveTest, ASnapshotTakenAfterEarlierDeliveriesRestores) {
  SetUpCapture(/*blobs=*/true);
  Write(1);
  const auto earlier = RunProcess(testing::BinaryPath("sqlite-cdc"), {"--db", path_, "--drain", "--output", "json"});
  ASSERT_EQ(earlier.exit_code, 0) << earlier.err;
  ASSERT_EQ(Backlog(), 0);
  const std::vector<std::string> s3{"--db", path_, "--blobs", "--output", Url(), "--batch-size", "7"};
  std::vector<std::string> bootstrap = s3;
  bootstrap.push_back("--bootstrap");
  const auto snapshot = RunProcess(testing::BinaryPath("sqlite-cdc"), bootstrap);
  ASSERT_EQ(snapshot.exit_code, 0) << snapshot.err;
  for (int round = 2; round <= 4; ++round) Write(round);
  std::vector<std::string> drain = s3;
  drain.push_back("--drain");
  const auto changes = RunProcess(testing::BinaryPath("sqlite-cdc"), drain);
  ASSERT_EQ(changes.exit_code, 0) << changes.err;

  const auto result = Restore(dir_.File("restored.db"));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  ExpectSameTables(path_, dir_.File("restored.db"));
  EXPECT_EQ(result.out.find(": 0 snapshot rows"), std::string::npos) << result.out;
}

// A log set up anew starts its ids from 1 again: archived beside the old log's objects, restore
// would read both as one history and retention would delete the new changes. Refused, unwritten.
TEST_F(S3ArchiveTest, AnArchiveOfAnotherLogIsRefusedBeforeAnythingIsWritten) {
  SetUpCapture(/*blobs=*/true);
  Write(1);
  const std::vector<std::string> drain{"--db", path_, "--blobs", "--output", Url(), "--drain"};
  ASSERT_EQ(RunProcess(testing::BinaryPath("sqlite-cdc"), drain).exit_code, 0);
  const auto archived = server_.Keys("apps/one/");
  ASSERT_EQ(RunProcess(testing::BinaryPath("sqlite-cdc-setup"), {"--db", path_, "--teardown"}).exit_code, 0);
  SetUpCapture(/*blobs=*/true);
  Write(2);
  const auto run = RunProcess(testing::BinaryPath("sqlite-cdc"), drain);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("holds the changes of another log"), std::string::npos) << run.err;
  EXPECT_EQ(server_.Keys("apps/one/"), archived) << "nothing was written into the old log's archive";
  EXPECT_GT(Backlog(), 0) << "the new log's changes wait for an archive of their own";
}

TEST_F(S3ArchiveTest, AMissingObjectMakesRestoreFailWithoutAFile) {
  SetUpCapture(/*blobs=*/true);
  auto cdc = StartCdc({"--s3-max-object-changes", "7"});  // an object per batch
  for (int round = 1; round <= 3; ++round) Write(round);
  WaitDrained();
  cdc->Signal(SIGTERM);
  ASSERT_EQ(cdc->Wait(), 0) << ReadFile(err_);

  const auto keys = server_.Keys("apps/one/changes/");
  ASSERT_GE(keys.size(), 3u);
  server_.Delete(keys[1]);
  const auto result = Restore(dir_.File("restored.db"));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("the archive is missing log ids"), std::string::npos) << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.File("restored.db")));
}

// A store that kept part of an upload a kill cut short (s3rver does) leaves a damaged object; the
// engine sent its changes again after the restart, cut into other objects. Restore skips it, with a
// warning, where later objects hold its changes, and still refuses where none does.
TEST_F(S3ArchiveTest, ADamagedObjectIsSkippedWhereLaterObjectsHoldItsChanges) {
  SetUpCapture(/*blobs=*/true);
  const std::string prefix = "apps/one/";
  auto cdc = StartCdc({"--bootstrap", "--cdc", "--s3-max-object-changes", "7"});  // an object per batch
  // The snapshot first (of the rows written before), so that every change after it is in an object.
  ASSERT_TRUE(WaitUntil([&] {
    for (const std::string& key : server_.Keys(prefix + "snapshots/")) {
      if (key.ends_with("/complete.json")) return true;
    }
    return false;
  })) << ReadFile(err_);
  for (int round = 1; round <= 3; ++round) Write(round);
  WaitDrained();
  cdc->Signal(SIGTERM);
  ASSERT_EQ(cdc->Wait(), 0) << ReadFile(err_);
  const std::string source = CopySource("source.db");

  const auto keys = server_.Keys(prefix + "changes/");
  ASSERT_GE(keys.size(), 3u);
  const auto first = sinks::ParseChangesObjectName(keys[0].substr(prefix.size()));
  const auto second = sinks::ParseChangesObjectName(keys[1].substr(prefix.size()));
  ASSERT_TRUE(first && second);
  // Listed between the two: ids of both, bytes of neither.
  const std::string damaged = prefix + sinks::ChangesObjectName(first->first, second->second);
  server_.Put(damaged, server_.Object(keys[0]).substr(0, 20));
  const auto restored = Restore(dir_.File("restored.db"));
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  EXPECT_NE(restored.err.find("skipping " + damaged), std::string::npos) << restored.err;
  ExpectSameTables(source, dir_.File("restored.db"));

  server_.Delete(keys[1]);  // now nothing else holds the damaged object's second half
  const auto refused = Restore(dir_.File("refused.db"));
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find(damaged + " is damaged"), std::string::npos) << refused.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.File("refused.db")));
}

// A snapshot whose manifest cannot be read (an upload cut short, on a store that keeps the part it
// got) is passed over for an older whole one; with none left, restore refuses rather than start
// from log id 1 without the rows only the snapshots held.
TEST_F(S3ArchiveTest, ASnapshotWithADamagedManifestIsPassedOverForAnOlderOne) {
  SetUpCapture(/*blobs=*/true);
  const auto manifests = [&] {
    std::vector<std::string> found;
    for (const std::string& key : server_.Keys("apps/one/snapshots/")) {
      if (key.ends_with("/complete.json")) found.push_back(key);
    }
    return found;
  };
  for (int round = 1; round <= 2; ++round) {
    auto cdc = StartCdc({"--bootstrap", "--cdc"});
    ASSERT_TRUE(WaitUntil([&] { return manifests().size() == static_cast<size_t>(round); })) << ReadFile(err_);
    Write(round);
    WaitDrained();
    cdc->Signal(SIGTERM);
    ASSERT_EQ(cdc->Wait(), 0) << ReadFile(err_);
  }
  const std::string source = CopySource("source.db");
  const auto both = manifests();
  ASSERT_EQ(both.size(), 2u);
  server_.Put(both[1], "{\"log_pos");
  const auto restored = Restore(dir_.File("restored.db"));
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  EXPECT_NE(restored.err.find("passing over snapshot"), std::string::npos) << restored.err;
  ExpectSameTables(source, dir_.File("restored.db"));

  server_.Put(both[0], "");
  const auto refused = Restore(dir_.File("refused.db"));
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("the archive is incomplete"), std::string::npos) << refused.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.File("refused.db")));
}

TEST_F(S3ArchiveTest, ListDescribesTheSnapshotTheChangesAndTheGapADeletedObjectLeaves) {
  SetUpCapture(/*blobs=*/true);
  const long long snapshot_rows = AppDb(path_).Int(
      "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM \"order lines\") + (SELECT count(*) FROM events) + "
      "(SELECT count(*) FROM wide)");
  ASSERT_NO_FATAL_FAILURE(ArchiveASnapshotThenThreeRounds());
  const auto keys = server_.Keys("apps/one/changes/");
  ASSERT_GE(keys.size(), 3u);
  const auto deleted = sinks::ParseChangesObjectName(keys[1].substr(std::string("apps/one/").size()));
  const auto first = sinks::ParseChangesObjectName(keys[0].substr(std::string("apps/one/").size()));
  ASSERT_TRUE(deleted && first);
  server_.Delete(keys[1]);

  const auto text = RunProcess(testing::BinaryPath("sqlite-cdc-restore"), {"--from", Url(), "--list"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("snapshots: 1 complete"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("gaps: log ids " + std::to_string(deleted->first) + " to " + std::to_string(deleted->second)),
            std::string::npos)
      << text.out;
  EXPECT_EQ(text.out.find("S3RVER"), std::string::npos) << "no credential in the listing";

  const auto json = RunProcess(testing::BinaryPath("sqlite-cdc-restore"), {"--from", Url(), "--list", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto listing = nlohmann::json::parse(json.out);
  ASSERT_EQ(listing["snapshots"].size(), 1u);
  EXPECT_EQ(listing["snapshots"][0]["rows"], snapshot_rows);
  EXPECT_EQ(listing["changes"]["objects"], keys.size() - 1);
  ASSERT_EQ(listing["gaps"].size(), 1u);
  EXPECT_EQ(listing["gaps"][0]["first_id"], deleted->first);
  EXPECT_EQ(listing["gaps"][0]["last_id"], deleted->second);
  ASSERT_GE(listing["restorable"].size(), 1u);
  EXPECT_EQ(listing["restorable"][0]["first_id"], 0);
  EXPECT_EQ(listing["restorable"][0]["last_id"], first->second) << "a restore cannot pass the gap";
  EXPECT_FALSE(listing["restorable"][0]["last_time"].get<std::string>().empty());

  // What the listing says a restore reaches, a restore reaches:
  const auto restored = Restore(dir_.File("restored.db"), {"--id", std::to_string(first->second)});
  EXPECT_EQ(restored.exit_code, 0) << restored.err;
}

// Objects that are there but do not read (a store that kept part of an upload a crash cut short):
// --list still describes the archive; a damaged complete.json shows as such, and with --verify a
// damaged change object is a gap, as it is to a restore. Without --verify only names are listed.
TEST_F(S3ArchiveTest, ListShowsDamagedObjectsAndVerifyFindsTheOnesItDidNotRead) {
  SetUpCapture(/*blobs=*/true);
  ASSERT_NO_FATAL_FAILURE(ArchiveASnapshotThenThreeRounds());
  const auto keys = server_.Keys("apps/one/changes/");
  const auto manifests = server_.Keys("apps/one/snapshots/");
  ASSERT_GE(keys.size(), 3u);
  const auto damaged = sinks::ParseChangesObjectName(keys[1].substr(std::string("apps/one/").size()));
  ASSERT_TRUE(damaged);
  server_.Put(keys[1], "not gzip");
  for (const auto& key : manifests) {
    if (key.size() > 13 && key.substr(key.size() - 13) == "complete.json") server_.Put(key, "{\"log_pos");
  }

  const auto text = RunProcess(testing::BinaryPath("sqlite-cdc-restore"), {"--from", Url(), "--list"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("snapshots: 0 complete, 1 damaged"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("DAMAGED (its complete.json does not read"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("gaps: none"), std::string::npos) << "names alone show no gap: " << text.out;

  const auto verified =
      RunProcess(testing::BinaryPath("sqlite-cdc-restore"), {"--from", Url(), "--list", "--verify", "--json"});
  ASSERT_EQ(verified.exit_code, 0) << verified.err;
  const auto listing = nlohmann::json::parse(verified.out);
  EXPECT_TRUE(listing["snapshots"][0]["damaged"].get<bool>()) << listing;
  EXPECT_FALSE(listing["snapshots"][0]["usable"].get<bool>()) << listing;
  EXPECT_TRUE(listing["changes"]["verified"].get<bool>()) << listing;
  EXPECT_EQ(listing["changes"]["damaged_objects"], nlohmann::json::array({keys[1]})) << listing;
  ASSERT_EQ(listing["gaps"].size(), 1u) << listing;
  EXPECT_EQ(listing["gaps"][0]["first_id"], damaged->first);
  EXPECT_EQ(listing["gaps"][0]["last_id"], damaged->second);
  // The only snapshot does not read, so restore refuses every point (the rows it held would be
  // missing from an empty start), and the listing says nothing is restorable.
  EXPECT_TRUE(listing["restorable"].empty()) << listing;
  const auto refused = Restore(dir_.File("refused.db"), {"--id", std::to_string(damaged->first - 1)});
  EXPECT_EQ(refused.exit_code, 1) << refused.out;
}

TEST_F(S3ArchiveTest, AnUnreachableServerLosesNothingAndDuplicatesNothing) {
  SetUpCapture(/*blobs=*/true);
  auto cdc = StartCdc({"--bootstrap", "--cdc"});
  Write(1);
  WaitDrained();
  server_.Stop();
  Write(2);
  Write(3);
  ASSERT_TRUE(WaitUntil([&] { return ReadFile(err_).find("retrying") != std::string::npos; })) << ReadFile(err_);
  EXPECT_GT(Backlog(), 0) << "nothing leaves the log while the archive is unreachable";
  server_.Start();
  Write(4);
  WaitDrained();
  cdc->Signal(SIGTERM);
  ASSERT_EQ(cdc->Wait(), 0) << ReadFile(err_);

  const auto result = Restore(dir_.File("restored.db"));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  ExpectSameTables(path_, dir_.File("restored.db"));
}

TEST_F(S3ArchiveTest, SlowDownAnswersAreRetriedWithoutLossOrDuplicates) {
  SetUpCapture(/*blobs=*/true);
  auto cdc = StartCdc({"--bootstrap", "--cdc"});
  Write(1);
  WaitDrained();
  server_.FailNext(5);
  Write(2);
  Write(3);
  WaitDrained();
  cdc->Signal(SIGTERM);
  ASSERT_EQ(cdc->Wait(), 0) << ReadFile(err_);
  EXPECT_NE(ReadFile(err_).find("SlowDown"), std::string::npos) << "the 503s were seen and retried";

  const auto result = Restore(dir_.File("restored.db"));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  ExpectSameTables(path_, dir_.File("restored.db"));
}

TEST_F(S3ArchiveTest, BadSettingsAreExit2WithOneLine) {
  SetUpCapture(/*blobs=*/true);
  const std::string cdc = testing::BinaryPath("sqlite-cdc"), restore = testing::BinaryPath("sqlite-cdc-restore");
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases{
      {cdc, {"--db", path_, "--output", "s3://Bad_Bucket/x"}},
      {cdc, {"--db", path_, "--output", "s3://cdc-test/x?endpoint=nope"}},
      {restore, {"--from", "s3://cdc-test/x", "--to", path_}},
      {restore, {"--from", Url(), "--to", dir_.File("new.db"), "--timestamp", "yesterday"}},
      {restore, {"--from", Url(), "--to", dir_.File("new.db"), "--id", "3", "--timestamp", "2026-01-01T00:00:00Z"}},
      {cdc, {"--db", path_, "--output", Url(), "--s3-flush-interval", "0s"}},
      {cdc, {"--db", path_, "--output", Url(), "--s3-flush-interval", "soon"}},
      {cdc, {"--db", path_, "--output", Url(), "--s3-max-object-changes", "0"}},
      {cdc, {"--db", path_, "--output", Url(), "--s3-max-object-bytes", "lots"}},
      {cdc, {"--db", path_, "--output", Url(), "--s3-max-object-bytes", "0"}},
      {cdc, {"--db", path_, "--output", Url(), "--s3-puts-in-flight", "0"}},
      {cdc, {"--db", path_, "--output", Url(), "--s3-puts-in-flight", "65"}}};
  for (const auto& [program, args] : cases) {
    const auto result = RunProcess(program, args);
    EXPECT_EQ(result.exit_code, 2) << args.back() << ": " << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  }
  unsetenv("AWS_SECRET_ACCESS_KEY");
  const auto no_secret = RunProcess(cdc, {"--db", path_, "--output", Url()});
  EXPECT_EQ(no_secret.exit_code, 2);
  EXPECT_NE(no_secret.err.find("AWS_SECRET_ACCESS_KEY is not set"), std::string::npos) << no_secret.err;
  EXPECT_EQ(no_secret.err.find("S3RVER"), std::string::npos) << "no credential in errors";
}

}  // namespace
}  // namespace sqlite_cdc
