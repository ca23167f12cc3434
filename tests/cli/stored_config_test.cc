// What setup stores beside the log (the watched tables and the capture options), met as a user meets
// it: sqlite-cdc-setup, sqlite-cdc and sqlite-cdc status run as subprocesses on a real database
// that the application rebuilds, renames and alters between them.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "support/app_db.h"
#include "support/captured_db.h"
#include "support/process.h"

namespace sqlite_cdc {
namespace {

using testing::AppDb;
using testing::BackgroundProcess;
using testing::BinaryPath;
using testing::ProcessResult;
using testing::ReadFile;
using testing::RunProcess;
using testing::WaitUntil;

// The events of an NDJSON output.
std::vector<nlohmann::json> Events(const std::string& output) {
  std::vector<nlohmann::json> events;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) events.push_back(nlohmann::json::parse(line));
  }
  return events;
}

size_t Lines(const std::string& text) { return static_cast<size_t>(std::count(text.begin(), text.end(), '\n')); }

class StoredConfigTest : public testing::CapturedDbTest {
 protected:
  StoredConfigTest()
      : CapturedDbTest(std::string(testing::kItemsTable) +
                       "; CREATE TABLE photos (id INTEGER PRIMARY KEY, image BLOB)"),
        app_(path_) {}

  ProcessResult SetupCli(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--db", path_, "--setup"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunProcess(BinaryPath("sqlite-cdc-setup"), args);
  }

  ProcessResult Cdc(std::vector<std::string> extra) {
    std::vector<std::string> args{"--db", path_};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunProcess(BinaryPath("sqlite-cdc"), args);
  }

  // Delivers the log as NDJSON and returns the events.
  std::vector<nlohmann::json> Drain(std::vector<std::string> extra = {}) {
    extra.insert(extra.end(), {"--drain", "--output", "json"});
    const ProcessResult result = Cdc(extra);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    last_err_ = result.err;
    return Events(result.out);
  }

  nlohmann::json StatusJson(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"status", "--db", path_, "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    const ProcessResult result = RunProcess(BinaryPath("sqlite-cdc"), args);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return result.exit_code == 0 ? nlohmann::json::parse(result.out) : nlohmann::json();
  }

  std::string StatusText() {
    const ProcessResult result = RunProcess(BinaryPath("sqlite-cdc"), {"status", "--db", path_});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return result.out;
  }

  // The table's `triggers` state in status --json, or "" when it is not listed.
  std::string TriggersOf(const nlohmann::json& status, const std::string& table) {
    for (const auto& entry : status["tables"]) {
      if (entry["name"] == table) return entry["triggers"];
    }
    return "";
  }

  // SQLite's documented procedure for a change ALTER TABLE cannot make: new table, copy, drop the
  // old one, rename the new one to the old name; in one transaction, as the docs advise.
  void RebuildItems() {
    app_.Exec(
        "BEGIN; CREATE TABLE new_items (id INTEGER PRIMARY KEY, n INTEGER NOT NULL DEFAULT 0, note TEXT);"
        "INSERT INTO new_items SELECT id, coalesce(n, 0), note FROM items; DROP TABLE items;"
        "ALTER TABLE new_items RENAME TO items; COMMIT;");
  }

  std::vector<std::string> TriggerNames() { return testing::TriggerNames(app_); }

  AppDb app_;
  std::string last_err_;
};

// Issue #14.2: a rebuilt table lost its triggers with the old table.

TEST_F(StoredConfigTest, ARebuiltTableIsReportedByStatusAsWithoutTriggers) {
  ASSERT_EQ(SetupCli().exit_code, 0);
  RebuildItems();
  const nlohmann::json status = StatusJson();
  ASSERT_EQ(status["tables"].size(), 2u) << status.dump();
  EXPECT_EQ(TriggersOf(status, "items"), "missing");
  EXPECT_EQ(status["tables"][0]["triggers_match"], false);
  EXPECT_EQ(status["drifted"], 1);
  const std::string text = StatusText();
  EXPECT_NE(text.find("watched tables:  2, 1 WITHOUT TRIGGERS\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  items: NO TRIGGERS, its changes are NOT captured"), std::string::npos) << text;
  EXPECT_NE(text.find("sqlite-cdc --resync"), std::string::npos) << text;
}

TEST_F(StoredConfigTest, TheEngineWarnsAboutARebuiltTableAndResyncCapturesItAgain) {
  ASSERT_EQ(SetupCli().exit_code, 0);
  RebuildItems();
  app_.Exec("INSERT INTO items VALUES (1, 1, 'lost')");
  EXPECT_TRUE(Drain().empty()) << "nothing captured the insert";
  EXPECT_NE(last_err_.find("table items is watched but has no triggers"), std::string::npos) << last_err_;
  EXPECT_NE(last_err_.find("--resync"), std::string::npos) << last_err_;

  Drain({"--resync"});
  EXPECT_NE(last_err_.find("items: re-installed its lost triggers"), std::string::npos) << last_err_;
  EXPECT_NE(last_err_.find("sqlite-cdc --bootstrap --table items"), std::string::npos) << last_err_;
  app_.Exec("INSERT INTO items VALUES (2, 2, 'captured')");
  const auto events = Drain();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["table"], "items");
  EXPECT_EQ(events[0]["after"]["note"], "captured");
  EXPECT_EQ(TriggersOf(StatusJson(), "items"), "match");
}

TEST_F(StoredConfigTest, SetupRunAgainReinstallsTheTriggersOfARebuiltTable) {
  ASSERT_EQ(SetupCli({"--table", "items"}).exit_code, 0);
  RebuildItems();
  const ProcessResult again = SetupCli({"--table", "photos"});  // another table: items is still watched
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("items: re-installed its lost triggers"), std::string::npos) << again.err;
  app_.Exec("INSERT INTO items VALUES (1, 1, 'a')");
  EXPECT_EQ(Drain().size(), 1u);
}

// SQLite fires a table's newest trigger first: an application trigger created after setup that
// writes to the table (a "touch" stamping a column) would run before ours, and its UPDATE would be
// logged before the INSERT that fired it, leaving consumers on the older image.
TEST_F(StoredConfigTest, AnAppTriggerCreatedAfterSetupIsReportedAndSetupMakesOursFireFirst) {
  ASSERT_EQ(SetupCli().exit_code, 0);
  app_.Exec(
      "CREATE TRIGGER items_touch AFTER INSERT ON items BEGIN UPDATE items SET note = 'touched' WHERE id = NEW.id; "
      "END");
  const nlohmann::json status = StatusJson();
  EXPECT_EQ(TriggersOf(status, "items"), "overtaken");
  EXPECT_EQ(status["tables"][0]["firing_first"], nlohmann::json::array({"items_touch"})) << status.dump();
  const std::string text = StatusText();
  EXPECT_NE(text.find("items: TRIGGERS OVERTAKEN by items_touch"), std::string::npos) << text;
  app_.Exec("INSERT INTO items VALUES (1, 1, 'a')");
  Drain();
  EXPECT_NE(last_err_.find("trigger items_touch of table items was created after sqlite-cdc's"), std::string::npos)
      << last_err_;

  const ProcessResult again = SetupCli();
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(TriggersOf(StatusJson(), "items"), "match");
  app_.Exec("INSERT INTO items VALUES (2, 2, 'b')");
  const auto events = Drain();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["operation"], "INSERT");
  EXPECT_EQ(events[0]["after"]["note"], "b");
  EXPECT_EQ(events[1]["operation"], "UPDATE");
  EXPECT_EQ(events[1]["after"]["note"], "touched") << "the newest image comes last";
}

TEST_F(StoredConfigTest, ResyncMakesOurTriggersFireBeforeAnAppTriggerCreatedAfterThem) {
  ASSERT_EQ(SetupCli().exit_code, 0);
  app_.Exec(
      "CREATE TRIGGER items_touch AFTER UPDATE OF n ON items BEGIN UPDATE items SET note = 'touched' WHERE id = "
      "NEW.id; END");
  app_.Exec("INSERT INTO items VALUES (1, 1, 'a')");
  Drain({"--resync"});
  EXPECT_NE(last_err_.find("items: re-installed its AFTER triggers so that they fire before items_touch"),
            std::string::npos)
      << last_err_;
  app_.Exec("UPDATE items SET n = 2 WHERE id = 1");
  const auto events = Drain();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["after"]["n"], 2);
  EXPECT_EQ(events[0]["after"]["note"], "a");
  EXPECT_EQ(events[1]["after"]["note"], "touched") << "the newest image comes last";
  EXPECT_EQ(TriggersOf(StatusJson(), "items"), "match");
}

TEST_F(StoredConfigTest, TeardownRemovesTheConfigWithTheLogAndSomeTablesJustTheirRows) {
  ASSERT_EQ(SetupCli().exit_code, 0);
  const auto config_tables = [&] {
    std::vector<std::string> names;
    for (const auto& row : app_.Rows("SELECT name FROM __cdc_log_config WHERE kind = 'table' ORDER BY name")) {
      names.push_back(*row[0]);
    }
    return names;
  };
  EXPECT_EQ(config_tables(), (std::vector<std::string>{"items", "photos"}));
  ASSERT_EQ(RunProcess(BinaryPath("sqlite-cdc-setup"), {"--db", path_, "--teardown", "--table", "photos"}).exit_code,
            0);
  EXPECT_EQ(config_tables(), (std::vector<std::string>{"items"}));
  RebuildItems();  // items has no triggers left, but it is still watched: the log stays
  ASSERT_EQ(RunProcess(BinaryPath("sqlite-cdc-setup"), {"--db", path_, "--teardown", "--table", "photos"}).exit_code,
            0);
  EXPECT_EQ(app_.Int("SELECT count(*) FROM sqlite_schema WHERE name LIKE '__cdc_log%'"),
            4);  // log, state, evicted, config
  ASSERT_EQ(RunProcess(BinaryPath("sqlite-cdc-setup"), {"--db", path_, "--teardown"}).exit_code, 0);
  EXPECT_EQ(app_.Int("SELECT count(*) FROM sqlite_schema WHERE name LIKE '%cdc%'"), 0);
}

// A database set up by the version that stored nothing: the triggers say what is watched.
TEST_F(StoredConfigTest, ADatabaseWithoutAConfigTableKeepsWorkingAndSetupAddsIt) {
  ASSERT_EQ(SetupCli({"--blobs"}).exit_code, 0);
  app_.Exec("DROP TABLE __cdc_log_config");
  app_.Exec("INSERT INTO photos VALUES (1, x'0A0B')");
  nlohmann::json status = StatusJson({"--blobs"});
  EXPECT_EQ(status["capture_options"]["stored"], false);
  EXPECT_EQ(TriggersOf(status, "photos"), "match");
  EXPECT_NE(StatusText().find("from the command line"), std::string::npos);
  const auto events = Drain({"--blobs"});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["after"]["image"], "0A0B");

  ASSERT_EQ(SetupCli({"--blobs"}).exit_code, 0);
  status = StatusJson();
  EXPECT_EQ(status["capture_options"]["stored"], true);
  EXPECT_EQ(status["capture_options"]["blobs"], true);
  EXPECT_EQ(TriggersOf(status, "photos"), "match");
}

TEST_F(StoredConfigTest, ResyncStoresTheConfigOfADatabaseThatHasNone) {
  ASSERT_EQ(SetupCli().exit_code, 0);
  app_.Exec("DROP TABLE __cdc_log_config");
  Drain({"--resync"});
  EXPECT_EQ(StatusJson()["capture_options"]["stored"], true);
  EXPECT_EQ(app_.Int("SELECT count(*) FROM __cdc_log_config WHERE kind = 'table'"), 2);
}

// Issue #14.3: capture options only on command lines.

TEST_F(StoredConfigTest, LaterCommandsReadTheCaptureOptionsFromTheDatabase) {
  ASSERT_EQ(SetupCli({"--blobs", "--disable-subsec"}).exit_code, 0);
  const nlohmann::json status = StatusJson();
  EXPECT_EQ(TriggersOf(status, "photos"), "match") << "no false OUTDATED without --blobs";
  EXPECT_EQ(status["capture_options"]["blobs"], true);
  EXPECT_EQ(status["capture_options"]["subsecond"], false);
  EXPECT_EQ(status["capture_options"]["stored"], true);
  EXPECT_EQ(StatusText().find("OUTDATED"), std::string::npos);

  // A resync without the flags keeps BLOB capture.
  Drain({"--resync"});
  EXPECT_EQ(last_err_.find("re-installed"), std::string::npos) << last_err_;
  app_.Exec("INSERT INTO photos VALUES (1, x'CAFE')");
  const auto events = Drain({"--resync"});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["after"]["image"], "CAFE");
  EXPECT_EQ(events[0]["timestamp"].get<std::string>().size(), 20u) << "whole seconds: " << events[0]["timestamp"];
}

TEST_F(StoredConfigTest, AFlagThatContradictsTheStoredOptionsIsRefused) {
  ASSERT_EQ(SetupCli().exit_code, 0);
  app_.Exec("INSERT INTO items VALUES (1, 1, 'a')");
  const auto expect_refused = [&](const std::vector<std::string>& args, const std::string& flag,
                                  const std::string& stored) {
    const ProcessResult result = RunProcess(BinaryPath("sqlite-cdc"), args);
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_EQ(Lines(result.err), 1u) << result.err;
    EXPECT_NE(result.err.find(flag + " contradicts the capture options stored at setup (" + stored + ")"),
              std::string::npos)
        << result.err;
  };
  expect_refused({"status", "--db", path_, "--blobs"}, "--blobs", "blobs off");
  expect_refused({"--db", path_, "--drain", "--disable-subsec"}, "--disable-subsec", "millisecond timestamps");
  expect_refused({"--db", path_, "--drain", "--resync", "--blobs"}, "--blobs", "blobs off");
  EXPECT_EQ(app_.Int("SELECT count(*) FROM __cdc_log"), 1) << "nothing was delivered";
}

TEST_F(StoredConfigTest, SetupWithOtherOptionsReinstallsEveryWatchedTableInOneGo) {
  ASSERT_EQ(SetupCli().exit_code, 0);
  const ProcessResult changed = SetupCli({"--table", "items", "--blobs"});
  ASSERT_EQ(changed.exit_code, 0) << changed.err;
  EXPECT_NE(changed.err.find("capture options changed from blobs off"), std::string::npos) << changed.err;
  EXPECT_NE(changed.err.find("photos: re-installed its triggers"), std::string::npos) << changed.err;
  const nlohmann::json status = StatusJson();
  EXPECT_EQ(status["capture_options"]["blobs"], true);
  EXPECT_EQ(status["drifted"], 0);
  app_.Exec("INSERT INTO photos VALUES (1, x'01')");
  const auto events = Drain();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["after"]["image"], "01");
}

TEST_F(StoredConfigTest, KeepUnchangedUpdatesIsStoredLikeTheOtherOptions) {
  ASSERT_EQ(SetupCli({"--keep-unchanged-updates"}).exit_code, 0);
  EXPECT_EQ(StatusJson()["capture_options"]["keep_unchanged_updates"], true);
  EXPECT_EQ(app_.Text("SELECT value FROM __cdc_log_config WHERE kind = 'option' AND name = 'keep_unchanged_updates'"),
            "1");
  const ProcessResult again = SetupCli();
  EXPECT_NE(again.err.find("unchanged updates logged to"), std::string::npos) << again.err;
  EXPECT_EQ(StatusJson()["capture_options"]["keep_unchanged_updates"], false);
}

// Issue #14.8: rowid keys change on VACUUM.

TEST_F(StoredConfigTest, SetupWarnsAboutEachTableKeyedByRowid) {
  app_.Exec(
      "CREATE TABLE notes (body TEXT); CREATE TABLE tags (name TEXT PRIMARY KEY);"
      "CREATE TABLE \"odd name\" (a, b)");
  const ProcessResult result = SetupCli();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(Lines(result.err), 2u) << result.err;
  for (const std::string table : {"notes", "odd name"}) {
    EXPECT_NE(result.err.find("sqlite-cdc-setup: warning: table " + table +
                              " has no primary key: its events are keyed by rowid, which VACUUM may renumber"),
              std::string::npos)
        << result.err;
  }
  EXPECT_NE(result.err.find("declare an INTEGER PRIMARY KEY"), std::string::npos) << result.err;
  EXPECT_EQ(result.err.find("table tags"), std::string::npos) << result.err;
}

// Issue #14.10: renamed tables.

TEST_F(StoredConfigTest, ARunningResyncFollowsARenamedTable) {
  ASSERT_EQ(SetupCli().exit_code, 0);
  const std::string out = dir_.File("out.ndjson"), err = dir_.File("err.txt");
  BackgroundProcess cdc(BinaryPath("sqlite-cdc"),
                        {"--db", path_, "--resync", "--output", "json", "--poll-interval", "100ms"}, out, err);
  app_.Exec("INSERT INTO items VALUES (1, 1, 'before')");
  ASSERT_TRUE(WaitUntil([&] { return Events(ReadFile(out)).size() == 1; })) << ReadFile(err);
  app_.Exec("ALTER TABLE items RENAME TO items2");
  ASSERT_TRUE(WaitUntil([&] {
    return app_.Int("SELECT count(*) FROM sqlite_schema WHERE name = 'items2__cdc_insert'") == 1;
  })) << ReadFile(err);
  app_.Exec("INSERT INTO items2 VALUES (2, 2, 'after')");
  ASSERT_TRUE(WaitUntil([&] { return Events(ReadFile(out)).size() == 2; })) << ReadFile(err);
  cdc.Signal(SIGTERM);
  EXPECT_EQ(cdc.Wait(), 0);

  const auto events = Events(ReadFile(out));
  EXPECT_EQ(events[1]["table"], "items2");
  EXPECT_EQ(events[1]["after"]["note"], "after");
  EXPECT_EQ(TriggerNames(), (std::vector<std::string>{
                                "items2__cdc_delete", "items2__cdc_evict", "items2__cdc_insert", "items2__cdc_rekey",
                                "items2__cdc_update", "items2__cdc_update_evicted", "items2__cdc_update_stash",
                                "photos__cdc_delete", "photos__cdc_evict", "photos__cdc_insert", "photos__cdc_rekey",
                                "photos__cdc_update", "photos__cdc_update_evicted", "photos__cdc_update_stash"}));
  EXPECT_EQ(app_.Int("SELECT count(*) FROM __cdc_log_config WHERE kind = 'table' AND name = 'items2'"), 1);
  EXPECT_EQ(app_.Int("SELECT count(*) FROM __cdc_log_config WHERE kind = 'table' AND name = 'items'"), 0);
  EXPECT_NE(ReadFile(err).find("table items was renamed to items2: now watched as items2"), std::string::npos)
      << ReadFile(err);
  EXPECT_EQ(TriggersOf(StatusJson(), "items2"), "match");
}

TEST_F(StoredConfigTest, WithoutResyncARenameIsReportedWithBothNames) {
  ASSERT_EQ(SetupCli().exit_code, 0);
  app_.Exec("ALTER TABLE items RENAME TO items2");
  const nlohmann::json status = StatusJson();
  EXPECT_EQ(TriggersOf(status, "items"), "renamed");
  EXPECT_EQ(status["tables"][0]["renamed_to"], "items2");
  EXPECT_EQ(status["drifted"], 1);
  const std::string text = StatusText();
  EXPECT_NE(text.find("  items: RENAMED to items2, its changes are logged as items; run sqlite-cdc-setup --setup"),
            std::string::npos)
      << text;
  Drain();
  EXPECT_NE(last_err_.find("table items was renamed to items2: its changes are logged as items"), std::string::npos)
      << last_err_;
  // Setup follows it too.
  ASSERT_EQ(SetupCli({"--table", "photos"}).exit_code, 0);
  EXPECT_EQ(TriggersOf(StatusJson(), "items2"), "match");
}

// Issue #14.11: images between an ALTER TABLE and the re-installed triggers.

TEST_F(StoredConfigTest, ResyncAndSetupNameTheLogIdsWhoseImagesPredateTheAlter) {
  ASSERT_EQ(SetupCli().exit_code, 0);
  app_.Exec("INSERT INTO items VALUES (1, 1, 'a'); INSERT INTO photos VALUES (1, NULL)");
  app_.Exec("BEGIN; ALTER TABLE items ADD COLUMN added TEXT; UPDATE items SET added = 'x', n = 2 WHERE id = 1; COMMIT");
  const auto log = testing::ReadLog(app_);
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(*log[2].after, R"({"id":1,"n":2,"note":"a"})") << "the old triggers cannot see the new column";

  const ProcessResult setup = SetupCli();
  ASSERT_EQ(setup.exit_code, 0) << setup.err;
  EXPECT_NE(setup.err.find("table items: re-installed its triggers for its current columns and options; log ids 1..3 "
                           "(2 changes) were captured by the old triggers, so their images predate the change; to "
                           "re-send its current rows, run sqlite-cdc --bootstrap --table items"),
            std::string::npos)
      << setup.err;
  EXPECT_EQ(setup.err.find("photos"), std::string::npos) << setup.err;

  // The engine says the same at a resync, with "ids up to N" once the log was drained.
  Drain();
  app_.Exec("ALTER TABLE items ADD COLUMN more TEXT");
  Drain({"--resync"});
  EXPECT_NE(last_err_.find("table items: re-installed its triggers for its current columns and options; its changes "
                           "up to log id 3 (none still in the log) were captured by the old triggers"),
            std::string::npos)
      << last_err_;
}

}  // namespace
}  // namespace sqlite_cdc
