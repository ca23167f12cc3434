// Log rows that cannot be change events (written by hand, by an old or foreign trigger, or damaged),
// as a user meets them with the real binary: by default the engine stops at the first one, naming its
// id, after delivering what came before it; with --dead-letter FILE it sets each aside into FILE and
// goes on. Either way nothing damaged reaches the output.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

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

// Each line of `text` parsed as JSON; a line that is not JSON fails the test.
std::vector<nlohmann::json> JsonLines(const std::string& text) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    EXPECT_TRUE(nlohmann::json::accept(line)) << "not JSON: " << line;
    if (nlohmann::json::accept(line)) lines.push_back(nlohmann::json::parse(line));
  }
  return lines;
}

std::vector<long long> Ids(const std::vector<nlohmann::json>& events) {
  std::vector<long long> ids;
  for (const auto& event : events) ids.push_back(event["id"].get<long long>());
  return ids;
}

class DamagedLogTest : public testing::CapturedDbTest {
 protected:
  DamagedLogTest() : CapturedDbTest("CREATE TABLE items (id INTEGER PRIMARY KEY, n INTEGER)"), app_(path_) {
    SetUpCapture();
  }

  // A log row as a foreign writer would add it; the next id, as the triggers number them.
  long long AddLogRow(const std::string& operation, const std::string& key, const std::string& before,
                      const std::string& after) {
    app_.Exec(
        "INSERT INTO __cdc_log (id, timestamp, tablename, operation, key, before, after) VALUES ("
        "coalesce((SELECT max(id) FROM __cdc_log), (SELECT last_deleted_id FROM __cdc_log_state), 0) + 1, "
        "'2026-01-01T00:00:00.000Z', 'items', " +
        operation + ", " + key + ", " + before + ", " + after + ")");
    return app_.Int("SELECT max(id) FROM __cdc_log");
  }

  ProcessResult Drain(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--db", path_, "--drain", "--output", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunProcess(BinaryPath("sqlite-cdc"), args);
  }

  // The undelivered ids (the log also keeps its highest delivered row, the high-water row).
  std::vector<long long> LogIds() {
    std::vector<long long> ids;
    for (const auto& row : testing::ReadLog(app_)) ids.push_back(row.id);
    return ids;
  }

  testing::AppDb app_;
};

TEST_F(DamagedLogTest, EachKindOfDamageStopsTheEngineAtThatIdAfterWhatCameBefore) {
  const std::vector<std::vector<std::string>> damages = {
      // operation, key, before, after
      {"'TRUNCATE'", "'{\"id\":1}'", "NULL", "'{\"id\":1,\"n\":1}'"},
      {"'insert'", "'{\"id\":1}'", "NULL", "'{\"id\":1,\"n\":1}'"},
      {"'INSERT'", "'{\"id\":1}'", "NULL", "'{\"id\":1,\"n\":'"},             // cut short
      {"'INSERT'", "'{\"id\":1}'", "NULL", "'{\"id\":1,\"n\":1} trailing'"},  // text after the object
      {"'INSERT'", "'{\"id\":1}'", "NULL", "'[1,2]'"},                        // not an object
      {"'INSERT'", "'{\"id\":1}'", "NULL", "'{\"id\":Inf}'"},
      {"'INSERT'", "'not json'", "NULL", "'{\"id\":1}'"},
      {"'INSERT'", "NULL", "NULL", "'{\"id\":1}'"},
      {"'INSERT'", "'{\"id\":1}'", "'{\"id\":1}'", "'{\"id\":1}'"},  // an insert with a before image
      {"'INSERT'", "'{\"id\":1}'", "NULL", "NULL"},
      {"'UPDATE'", "'{\"id\":1}'", "NULL", "'{\"id\":1}'"},
      {"'UPDATE'", "'{\"id\":1}'", "'{\"id\":1'", "'{\"id\":1}'"},
      {"'DELETE'", "'{\"id\":1}'", "'{\"id\":1}'", "'{\"id\":1}'"},  // a delete with an after image
      {"'DELETE'", "'{\"id\":1}'", "NULL", "NULL"},
      {"'DELETE'", "'{\"id\":1}'", "x'7B22696422'", "NULL"},  // a blob, not JSON text
  };
  for (const auto& damage : damages) {
    SCOPED_TRACE(damage[0] + " " + damage[1] + " " + damage[2] + " " + damage[3]);
    app_.Exec("INSERT INTO items (n) VALUES (1), (2)");
    const long long bad = AddLogRow(damage[0], damage[1], damage[2], damage[3]);
    app_.Exec("INSERT INTO items (n) VALUES (3)");
    const ProcessResult stopped = Drain();
    EXPECT_EQ(stopped.exit_code, 1) << stopped.err;
    EXPECT_EQ(Ids(JsonLines(stopped.out)), (std::vector<long long>{bad - 2, bad - 1})) << "what came before it only";
    EXPECT_NE(stopped.err.find("log id " + std::to_string(bad) + " (table items"), std::string::npos) << stopped.err;
    EXPECT_NE(stopped.err.find("--dead-letter"), std::string::npos) << stopped.err;
    EXPECT_EQ(std::count(stopped.err.begin(), stopped.err.end(), '\n'), 1) << stopped.err;
    EXPECT_EQ(LogIds(), (std::vector<long long>{bad, bad + 1})) << "it and what follows stay in the log";
    // Deleting the row by hand, as the message says, lets the rest through.
    app_.Exec("DELETE FROM __cdc_log WHERE id = " + std::to_string(bad));
    const ProcessResult resumed = Drain();
    EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
    EXPECT_EQ(Ids(JsonLines(resumed.out)), std::vector<long long>{bad + 1});
  }
}

TEST_F(DamagedLogTest, SoundRowsOfEveryOperationPass) {
  app_.Exec("INSERT INTO items VALUES (1, 1); UPDATE items SET n = 2; DELETE FROM items");
  AddLogRow("'UPDATE'", "' {\"id\" : 1} '", "'{\"id\":1,\"n\":[1,{\"a\":null}],\"t\":\"\\u00e9\"}'", "'{}'");
  const ProcessResult result = Drain();
  EXPECT_EQ(result.exit_code, 0) << result.err;
  const auto events = JsonLines(result.out);
  ASSERT_EQ(Ids(events), (std::vector<long long>{1, 2, 3, 4}));
  EXPECT_EQ(events[0]["operation"], "INSERT");
  EXPECT_EQ(events[1]["operation"], "UPDATE");
  EXPECT_EQ(events[2]["operation"], "DELETE");
}

TEST_F(DamagedLogTest, DeadLetterSetsEachDamagedRowAsideAndGoesOn) {
  const std::string dead = dir_.File("dead.ndjson");
  app_.Exec("INSERT INTO items (n) VALUES (1), (2)");                                // 1, 2
  AddLogRow("'TRUNCATE'", "'{\"id\":9}'", "NULL", "NULL");                           // 3
  AddLogRow("'INSERT'", "'{\"id\":9}'", "NULL", "CAST(x'7B226E223A22FF' AS TEXT)");  // 4: cut, not UTF-8
  app_.Exec("INSERT INTO items (n) VALUES (5)");                                     // 5
  AddLogRow("'UPDATE'", "'{\"id\":9}'", "'{\"id\":9}'", "'\"text\\nline\"'");        // 6
  const ProcessResult result = Drain({"--dead-letter", dead});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(Ids(JsonLines(result.out)), (std::vector<long long>{1, 2, 5}));
  for (const char* id : {"log id 3 ", "log id 4 ", "log id 6 "}) {
    EXPECT_NE(result.err.find(id), std::string::npos) << id << " not named in: " << result.err;
  }
  EXPECT_EQ(LogIds(), std::vector<long long>{});
  EXPECT_EQ(app_.Int("SELECT last_deleted_id FROM __cdc_log_state"), 6);

  const auto set_aside = JsonLines(ReadFile(dead));
  ASSERT_EQ(Ids(set_aside), (std::vector<long long>{3, 4, 6}));
  EXPECT_EQ(set_aside[0]["table"], "items");
  EXPECT_EQ(set_aside[0]["operation"], "TRUNCATE");
  EXPECT_EQ(set_aside[0]["key"], "{\"id\":9}") << "the raw text, as a string";
  EXPECT_TRUE(set_aside[0]["after"].is_null());
  EXPECT_FALSE(set_aside[0]["problem"].get<std::string>().empty());
  EXPECT_FALSE(set_aside[1].contains("after"));
  EXPECT_EQ(set_aside[1]["after_hex"], "7B226E223A22FF") << "bytes that are not UTF-8 kept as hex";
  EXPECT_EQ(set_aside[2]["after"], "\"text\\nline\"");

  // A second run appends; new changes continue after the set-aside ids.
  AddLogRow("'DELETE'", "'{\"id\":9}'", "NULL", "NULL");  // 7
  app_.Exec("INSERT INTO items (n) VALUES (8)");          // 8
  const ProcessResult again = Drain({"--dead-letter", dead});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(Ids(JsonLines(again.out)), std::vector<long long>{8});
  EXPECT_EQ(Ids(JsonLines(ReadFile(dead))), (std::vector<long long>{3, 4, 6, 7}));
}

TEST_F(DamagedLogTest, AnUnwritableDeadLetterFileIsExit2AtStart) {
  app_.Exec("INSERT INTO items (n) VALUES (1)");
  const ProcessResult result = Drain({"--dead-letter", dir_.File("no-such-folder/dead.ndjson")});
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_NE(result.err.find("cannot open --dead-letter file"), std::string::npos) << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(LogIds(), std::vector<long long>{1});
}

}  // namespace
}  // namespace sqlite_cdc
