// The S3 archive over months, as a user runs it against s3rver: snapshots taken in the background
// of a running --cdc at the interval, retention deleting exactly what no restore inside the window
// needs, and a SIGKILL in the middle of either leaving an archive that restores and lists.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "sinks/s3/archive_layout.h"
#include "sqlite_cdc/restore.h"
#include "support/app_db.h"
#include "support/captured_db.h"
#include "support/process.h"
#include "support/s3_test_server.h"

namespace sqlite_cdc {
namespace {

using std::chrono::milliseconds;
using testing::AppDb;
using testing::ReadFile;
using testing::RunProcess;
using testing::WaitUntil;

constexpr char kPrefix[] = "apps/one/";

std::string Rfc3339(std::chrono::system_clock::time_point at) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(at);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char text[40];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &parts);
  const auto millis = std::chrono::duration_cast<milliseconds>(at.time_since_epoch()).count() % 1000;
  return std::string(text) + "." + std::to_string(1000 + millis).substr(1) + "Z";
}

class S3LifecycleTest : public testing::CapturedDbTest {
 protected:
  S3LifecycleTest() : server_("cdc-life") {
    setenv("AWS_ACCESS_KEY_ID", "S3RVER", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "S3RVER", 1);
    SetUpCapture();
  }

  std::string Url() const { return "s3://cdc-life/apps/one?endpoint=" + server_.endpoint(); }

  // A run that ends by itself (--bootstrap, --drain), with `extra` flags.
  void RunToEnd(std::vector<std::string> extra) {
    std::vector<std::string> args{"--db", path_, "--output", Url()};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto result = RunProcess(testing::BinaryPath("sqlite-cdc"), args);
    ASSERT_EQ(result.exit_code, 0) << result.err;
  }

  std::unique_ptr<testing::BackgroundProcess> StartCdc(const std::vector<std::string>& extra) {
    return StartCdcProcess({"--output", Url(), "--poll-interval", "100ms", "--cdc"}, extra);
  }

  // Freezes `cdc` (SIGSTOP) at a moment `seen` describes and returns true, leaving it frozen. It is
  // frozen while `seen` looks, so a signal sent next lands where `seen` looked (plus at most the
  // requests already sent): a check made while it runs could see a moment it has already left (a
  // snapshot that finished meanwhile). Frozen, it runs only between looks; so it first runs free
  // until `near` (cheaper, or sooner).
  static bool FreezeOnceSeen(
      testing::BackgroundProcess& cdc, const std::function<bool()>& seen,
      const std::function<bool()>& near = [] { return true; }) {
    return WaitUntil(near) && WaitUntil([&] {
             cdc.Signal(SIGSTOP);
             if (seen()) return true;
             cdc.Signal(SIGCONT);
             return false;
           });
  }

  // FreezeOnceSeen, then SIGKILL.
  static bool KillOnceSeen(
      testing::BackgroundProcess& cdc, const std::function<bool()>& seen,
      const std::function<bool()>& near = [] { return true; }) {
    const bool caught = FreezeOnceSeen(cdc, seen, near);
    cdc.Signal(SIGKILL);
    cdc.Wait();
    return caught;
  }

  testing::ProcessResult Restore(const std::string& to, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--from", Url(), "--to", to};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunProcess(testing::BinaryPath("sqlite-cdc-restore"), args);
  }

  nlohmann::json List() {
    const auto result = RunProcess(testing::BinaryPath("sqlite-cdc-restore"), {"--from", Url(), "--list", "--json"});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return nlohmann::json::parse(result.out);
  }

  std::vector<std::string> Names(const std::string& under) {
    std::vector<std::string> names;
    for (const std::string& key : server_.Keys(kPrefix + under)) names.push_back(key.substr(sizeof(kPrefix) - 1));
    return names;
  }

  // The complete snapshots' manifests, in run order.
  std::vector<nlohmann::json> Manifests() {
    std::vector<nlohmann::json> manifests;
    for (const std::string& name : Names("snapshots/")) {
      if (sinks::ParseSnapshotManifestName(name)) {
        auto manifest = nlohmann::json::parse(server_.Object(kPrefix + name));
        manifest["run"] = *sinks::ParseSnapshotManifestName(name);
        manifests.push_back(manifest);
      }
    }
    return manifests;
  }

  std::string Dump(const std::string& path) {
    std::string text;
    for (const auto& row : AppDb(path).Rows("SELECT id, n, note FROM items ORDER BY id")) {
      for (const auto& value : row) text += value.value_or("NULL") + "|";
      text += "\n";
    }
    return text;
  }

  std::string CopySource(const std::string& name) {
    AppDb(path_).Exec("VACUUM INTO '" + dir_.File(name) + "'");
    return dir_.File(name);
  }

  void ExpectRestoresTo(const std::string& expected, std::vector<std::string> point, const std::string& name) {
    const auto result = Restore(dir_.File(name), point);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(Dump(dir_.File(name)), Dump(expected)) << result.out;
  }

  void Insert(int first, int count) {
    AppDb(path_).Exec("WITH RECURSIVE n(i) AS (SELECT " + std::to_string(first) +
                      " UNION ALL SELECT i + 1 FROM n WHERE i < " + std::to_string(first + count - 1) +
                      ") INSERT INTO items SELECT i, i, hex(randomblob(40)) FROM n");
  }

  testing::S3TestServer server_;
};

TEST_F(S3LifecycleTest, SnapshotsAppearAtTheIntervalWhileChangesStream) {
  Insert(1, 500);
  auto cdc = StartCdc({"--s3-snapshot-interval", "1s"});
  // Changes stream throughout: one update every 20 ms.
  int round = 0;
  const bool three = WaitUntil(
      [&] {
        AppDb(path_).Exec("UPDATE items SET n = n + 1 WHERE id = " + std::to_string(++round % 500 + 1));
        std::this_thread::sleep_for(milliseconds(10));
        return Manifests().size() >= 3;
      },
      20);
  ASSERT_TRUE(three) << ReadFile(err_);
  ASSERT_TRUE(WaitUntil([&] { return Backlog() == 0; })) << ReadFile(err_);
  cdc->Signal(SIGTERM);
  ASSERT_EQ(cdc->Wait(), 0) << ReadFile(err_);

  const auto manifests = Manifests();
  for (size_t i = 1; i < manifests.size(); ++i) {
    const auto before = ParseRfc3339Millis(manifests[i - 1]["taken_at"]);
    const auto after = ParseRfc3339Millis(manifests[i]["taken_at"]);
    ASSERT_TRUE(before && after);
    EXPECT_GE(*after - *before, 1000) << "an interval apart: " << manifests[i - 1] << manifests[i];
    EXPECT_LT(*after - *before, 3000) << "and not much more while changes stream";
    EXPECT_GT(manifests[i]["log_position"], manifests[i - 1]["log_position"]);
    EXPECT_EQ(manifests[i]["rows"], 500);
  }
  const std::string err = ReadFile(err_);
  EXPECT_NE(err.find("snapshot while streaming: 500 rows at log id"), std::string::npos) << err;
  EXPECT_NE(err.find(" read in "), std::string::npos) << err;

  // The newest snapshot is where a restore starts, and it equals the source.
  const auto result = Restore(dir_.File("restored.db"));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("snapshot " + manifests.back()["run"].get<std::string>()), std::string::npos) << result.out;
  EXPECT_EQ(Dump(dir_.File("restored.db")), Dump(path_));
  // So does a restore to an older snapshot's position, from that snapshot.
  const auto older =
      Restore(dir_.File("older.db"), {"--id", std::to_string(manifests[0]["log_position"].get<int64_t>())});
  ASSERT_EQ(older.exit_code, 0) << older.err;
  EXPECT_NE(older.out.find("snapshot " + manifests[0]["run"].get<std::string>()), std::string::npos) << older.out;
}

// An archive of two bootstrap snapshots, A and B, with hundreds of change objects between them.
// Retention of 2 s started 2 s after B: B is the base, so A and every change before B's position
// go, and nothing else; a SIGKILL in the middle of the pass leaves it restorable and listable, and
// the next run finishes the pass.
TEST_F(S3LifecycleTest, RetentionDeletesWhatNoRestoreInsideTheWindowNeedsAndSurvivesAKill) {
  Insert(1, 5);
  RunToEnd({"--bootstrap"});  // A
  const auto a = Manifests().at(0);
  const std::string before_b = CopySource("before-b.db");
  {
    AppDb app(path_);
    for (int i = 0; i < 400; ++i) app.Exec("UPDATE items SET n = n + 1 WHERE id = " + std::to_string(i % 5 + 1));
  }
  RunToEnd({"--drain", "--batch-size", "1", "--s3-max-object-changes", "1"});  // an object per change
  RunToEnd({"--bootstrap"});                                                   // B
  const auto manifests = Manifests();
  ASSERT_EQ(manifests.size(), 2u);
  const auto b = manifests[1]["run"] == a["run"] ? manifests[0] : manifests[1];
  const int64_t b_position = b["log_position"];
  const std::string at_b = CopySource("at-b.db");
  const auto after_b = std::chrono::system_clock::now();
  std::this_thread::sleep_for(milliseconds(2200));
  AppDb(path_).Exec("UPDATE items SET note = 'later' WHERE id = 1");
  RunToEnd({"--drain"});

  const auto changes_before = Names("changes/");
  std::set<std::string> expected_changes;
  for (const auto& name : changes_before) {
    if (sinks::ParseChangesObjectName(name)->second > b_position) expected_changes.insert(name);
  }
  ASSERT_GT(changes_before.size(), 400u);

  // A pass, killed once it has deleted some and not all.
  auto first = StartCdc({"--s3-retention", "2s"});
  ASSERT_TRUE(KillOnceSeen(
      *first, [&] { return Names("changes/").size() < changes_before.size() - 20; },
      [&] { return Names("changes/").size() < changes_before.size(); }))
      << ReadFile(err_);
  const size_t left = Names("changes/").size();
  EXPECT_GT(left, expected_changes.size()) << "killed in the middle of the pass";
  // What the listing says a restore reaches, from B to the end, a restore reaches.
  const auto listing = List();
  for (const auto& snapshot : listing["snapshots"]) {
    EXPECT_TRUE(!snapshot["complete"].get<bool>() || snapshot["usable"].get<bool>()) << snapshot;
  }
  EXPECT_TRUE(listing["gaps"].empty()) << listing;
  ExpectRestoresTo(path_, {}, "after-kill.db");
  ExpectRestoresTo(at_b, {"--timestamp", Rfc3339(after_b + milliseconds(500))}, "after-kill-at-b.db");

  // The next run finishes the pass.
  auto second = StartCdc({"--s3-retention", "2s"});
  ASSERT_TRUE(WaitUntil([&] { return ReadFile(err_).find("s3 retention: deleted") != std::string::npos; }))
      << ReadFile(err_);
  second->Signal(SIGTERM);
  ASSERT_EQ(second->Wait(), 0) << ReadFile(err_);

  const auto changes_after = Names("changes/");
  EXPECT_EQ(std::set<std::string>(changes_after.begin(), changes_after.end()), expected_changes);
  const auto kept = Manifests();
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0]["run"], b["run"]);
  for (const auto& name : Names("snapshots/")) {
    EXPECT_EQ(name.find(a["run"].get<std::string>()), std::string::npos) << "A's parts went too: " << name;
  }
  bool schema_for_b = false;
  for (const auto& name : Names("schema/")) schema_for_b |= *sinks::ParseSchemaObjectName(name) <= b_position;
  EXPECT_TRUE(schema_for_b) << "the schema in effect at B stays";

  // --list right after retention: one snapshot, no gap, restorable from B to the end.
  const auto after = List();
  ASSERT_EQ(after["snapshots"].size(), 1u);
  EXPECT_TRUE(after["gaps"].empty());
  ASSERT_EQ(after["restorable"].size(), 1u);
  EXPECT_EQ(after["restorable"][0]["first_id"], b_position);
  // The oldest point inside the window restores to the source as it was then; the source at the end
  // too; a point before B no longer restores.
  ExpectRestoresTo(at_b, {"--timestamp", b["taken_at"].get<std::string>()}, "oldest.db");
  ExpectRestoresTo(at_b, {"--timestamp", Rfc3339(after_b + milliseconds(500))}, "in-window.db");
  ExpectRestoresTo(path_, {}, "latest.db");
  const auto gone = Restore(dir_.File("gone.db"), {"--timestamp", a["taken_at"].get<std::string>()});
  EXPECT_EQ(gone.exit_code, 1) << gone.out << "A is gone: " << before_b;
}

// A SIGKILL while a periodic snapshot's parts are being stored: the parts without complete.json are
// listed as unfinished, a restore starts from the older snapshot and equals the source.
TEST_F(S3LifecycleTest, AKillDuringAPeriodicSnapshotLeavesTheArchiveRestorable) {
  Insert(1, 50000);
  RunToEnd({"--bootstrap"});
  const auto first = Manifests().at(0);
  AppDb(path_).Exec("UPDATE items SET note = 'changed' WHERE id % 100 = 0");
  auto cdc = StartCdc({"--s3-snapshot-interval", "1s", "--s3-max-object-changes", "200"});
  // 50,000 rows in parts of at least 1,000 rows, stored one by one before complete.json.
  const auto parts = [&] {
    size_t parts = 0;
    for (const auto& name : Names("snapshots/")) {
      parts += name.find(first["run"].get<std::string>()) == std::string::npos ? 1 : 0;
    }
    return parts;
  };
  ASSERT_TRUE(KillOnceSeen(
      *cdc, [&] { return parts() >= 3; }, [&] { return parts() >= 1; }))
      << ReadFile(err_);
  ASSERT_EQ(Manifests().size(), 1u) << "killed before the new snapshot's complete.json";
  RunToEnd({"--drain"});  // the restart archives what the kill left in the log

  const auto listing = List();
  ASSERT_EQ(listing["snapshots"].size(), 2u);
  EXPECT_FALSE(listing["snapshots"][1]["complete"].get<bool>()) << listing;
  const auto result = Restore(dir_.File("restored.db"));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("snapshot " + first["run"].get<std::string>()), std::string::npos) << result.out;
  EXPECT_EQ(Dump(dir_.File("restored.db")), Dump(path_));
}

// The copy a periodic snapshot writes into the temporary folder: a SIGKILL in the middle leaves it
// (nothing can unlink it), and the next engine's snapshot removes it, so a crash loop does not fill
// the disk; a SIGTERM in the middle abandons the copy and removes its file before the exit.
TEST_F(S3LifecycleTest, ASnapshotsCopyLeftByACrashIsRemovedAndAStopAbandonsOne) {
  const std::filesystem::path tmp = dir_.File("tmp");
  std::filesystem::create_directory(tmp);
  setenv("TMPDIR", tmp.c_str(), 1);  // the engines inherit it
  const auto copies = [&] {
    size_t n = 0;
    for (const auto& entry : std::filesystem::directory_iterator(tmp)) {
      n += entry.path().filename().string().rfind("sqlite-cdc-snapshot-", 0) == 0 ? 1 : 0;
    }
    return n;
  };
  Insert(1, 50000);
  RunToEnd({"--bootstrap"});
  const std::vector<std::string> periodic{"--s3-snapshot-interval", "1s"};
  // A snapshot is taken only once changes were archived past the newest one.
  const auto change = [&] { AppDb(path_).Exec("UPDATE items SET n = n + 1 WHERE id % 1000 = 0"); };

  change();
  auto crashed = StartCdc(periodic);
  ASSERT_TRUE(KillOnceSeen(*crashed, [&] { return copies() == 1; })) << ReadFile(err_);
  ASSERT_EQ(copies(), 1u) << "a SIGKILL leaves the copy it was writing";

  auto next = StartCdc(periodic);
  ASSERT_TRUE(WaitUntil([&] { return Manifests().size() == 2; })) << ReadFile(err_);
  EXPECT_EQ(copies(), 0u) << "the next snapshot removed the dead engine's copy";
  // The next copy, stopped while it is written.
  change();
  ASSERT_TRUE(FreezeOnceSeen(*next, [&] { return copies() == 1; })) << ReadFile(err_);
  next->Signal(SIGTERM);
  next->Signal(SIGCONT);
  EXPECT_EQ(next->Wait(), 0) << ReadFile(err_);
  EXPECT_EQ(copies(), 0u) << "a stop removes the copy it abandoned";
  const std::string logs = ReadFile(err_);
  size_t taken = 0;
  for (size_t at = logs.find("snapshot while streaming:"); at != std::string::npos;
       at = logs.find("snapshot while streaming:", at + 1)) {
    ++taken;
  }
  EXPECT_EQ(taken, 1u) << "only the second engine's first copy was finished: " << logs;
  unsetenv("TMPDIR");
}

// An ALTER with no change logged after it: the periodic snapshot that follows holds the new column,
// and a restore from it must create the table with that column, so the schema is stored before it.
TEST_F(S3LifecycleTest, ASnapshotAfterAnAlterComesWithTheSchemaItWasReadUnder) {
  Insert(1, 100);
  RunToEnd({"--bootstrap"});
  // The next snapshot is due 10 s after the bootstrap's: the ALTER comes well before (under a
  // sanitizer and a loaded machine, about 5 s after it).
  auto cdc = StartCdc({"--s3-snapshot-interval", "10s"});
  AppDb(path_).Exec("UPDATE items SET note = 'before the alter' WHERE id = 1");
  ASSERT_TRUE(WaitUntil([&] { return Backlog() == 0; })) << ReadFile(err_);
  const auto altered = std::chrono::system_clock::now();
  AppDb(path_).Exec("ALTER TABLE items ADD COLUMN extra TEXT DEFAULT 'x'");
  ASSERT_TRUE(WaitUntil([&] { return Manifests().size() == 2; })) << ReadFile(err_);
  ASSERT_GT(Manifests().back()["taken_at"].get<std::string>(), Rfc3339(altered))
      << "the setting up took longer than the interval: the snapshot came before the ALTER";
  cdc->Signal(SIGTERM);
  ASSERT_EQ(cdc->Wait(), 0) << ReadFile(err_);

  const int64_t position = Manifests().back()["log_position"].get<int64_t>();
  const auto result = Restore(dir_.File("at-snapshot.db"), {"--id", std::to_string(position)});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("snapshot " + Manifests().back()["run"].get<std::string>()), std::string::npos)
      << result.out;
  AppDb restored(dir_.File("at-snapshot.db"));
  EXPECT_EQ(restored.Int("SELECT count(*) FROM pragma_table_info('items') WHERE name = 'extra'"), 1);
  EXPECT_EQ(restored.Int("SELECT count(*) FROM items WHERE extra = 'x'"), 100);
}

TEST_F(S3LifecycleTest, BadDurationsAreExit2WithOneLine) {
  for (const char* flag : {"--s3-retention", "--s3-snapshot-interval"}) {
    for (const char* value : {"0s", "soon", "-1h"}) {
      const auto result =
          RunProcess(testing::BinaryPath("sqlite-cdc"), {"--db", path_, "--output", Url(), flag, value});
      EXPECT_EQ(result.exit_code, 2) << flag << " " << value << ": " << result.err;
      EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    }
  }
}

}  // namespace
}  // namespace sqlite_cdc
