// The engine through its public API, as a custom build uses it: real database files, a plain
// application connection writing, and a handler that records what it was given.
#include "sqlite_cdc/engine.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <functional>
#include <map>
#include <mutex>
#include <numeric>
#include <set>
#include <sstream>
#include <thread>

#include "sqlite_cdc/setup.h"
#include "support/app_db.h"
#include "support/captured_db.h"
#include "support/engine_db_test.h"
#include "support/fake_env.h"
#include "support/json_check.h"
#include "support/process.h"
#include "support/recording_handler.h"
#include "support/recording_logger.h"
#include "support/temp_dir.h"

namespace sqlite_cdc {
namespace {

using std::chrono::milliseconds;
using testing::AppDb;
using testing::RecordingHandler;
using testing::WaitUntil;

class EngineTest : public testing::EngineDbTest {
 protected:
  // Stops `engine`, running RunCdc on `runner`, and checks that a clean stop left nothing that was
  // delivered in the log: the log is empty and a new engine delivers nothing again.
  void StopAndExpectNothingDeliveredAgain(std::unique_ptr<Engine>& engine, std::thread& runner) {
    engine->Stop();
    runner.join();
    EXPECT_EQ(Backlog(), 0);
    engine.reset();
    auto restarted = OpenEngine(Options());
    RecordingHandler again;
    ASSERT_TRUE(restarted->DrainOnce(again).ok());
    EXPECT_TRUE(again.all().empty()) << "nothing delivered twice";
  }
};

TEST_F(EngineTest, DrainsTheLogInOrderInBatchesAndEmptiesIt) {
  SetUpCapture();
  InsertItems(0, 1000);
  EngineOptions options = Options();
  options.batch_size = 64;
  auto engine = OpenEngine(options);
  RecordingHandler handler;
  ASSERT_TRUE(engine->DrainOnce(handler).ok());
  const auto batches = handler.batches();
  ASSERT_EQ(batches.size(), 16u);  // ceil(1000 / 64)
  for (const Changes& batch : batches) EXPECT_LE(batch.size(), 64u);
  const Changes all = handler.all();
  ASSERT_EQ(all.size(), 1000u);
  for (size_t i = 1; i < all.size(); ++i) ASSERT_LT(all[i - 1].id, all[i].id);
  EXPECT_EQ(all[0].table, "items");
  EXPECT_EQ(testing::StrictJson(all[0].after)["id"], 0);
  EXPECT_EQ(Backlog(), 0);
}

TEST_F(EngineTest, ARetriedBatchIsDeliveredAgainWithTheSameIds) {
  SetUpCapture();
  InsertItems(0, 10);
  auto engine = OpenEngine(Options());
  RecordingHandler handler;
  handler.failures = 2;
  ASSERT_TRUE(engine->DrainOnce(handler).ok());
  EXPECT_EQ(handler.calls(), 3);
  ASSERT_EQ(handler.all().size(), 10u);
  EXPECT_EQ(Backlog(), 0);
}

TEST_F(EngineTest, TheSchemaComesBeforeTheFirstBatchAndAgainAfterItChanges) {
  SetUpCapture();
  InsertItems(0, 3);
  EngineOptions options = Options();
  options.resync = true;
  auto engine = OpenEngine(options);
  RecordingHandler handler;
  ASSERT_TRUE(engine->DrainOnce(handler).ok());
  ASSERT_TRUE(engine->DrainOnce(handler).ok());  // nothing new: no schema either
  app_.Exec("ALTER TABLE items ADD COLUMN added REAL");
  app_.Exec("INSERT INTO items (id, n) VALUES (3, 3)");
  ASSERT_TRUE(engine->DrainOnce(handler).ok());
  const std::vector<std::string> expected{"schema@0", "batch", "schema@3", "batch"};
  EXPECT_EQ(handler.events(), expected);
  const auto schemas = handler.schemas();
  ASSERT_EQ(schemas.size(), 2u);
  ASSERT_EQ(schemas[0].tables.size(), 1u);
  const TableDefinition& items = schemas[0].tables[0];
  EXPECT_EQ(items.name, "items");
  EXPECT_EQ(items.create_sql, "CREATE TABLE items (id INTEGER PRIMARY KEY, n INTEGER, note TEXT)");
  EXPECT_EQ(items.columns, (std::vector<std::string>{"id", "n", "note"}));
  EXPECT_EQ(items.key, std::vector<std::string>{"id"});
  EXPECT_EQ(schemas[1].tables[0].columns.back(), "added");
}

TEST_F(EngineTest, ABootstrapEndsWithItsLogPosition) {
  SetUpCapture();
  InsertItems(0, 5);
  auto engine = OpenEngine(Options());
  RecordingHandler handler;
  ASSERT_TRUE(engine->Bootstrap(handler).ok());
  const std::vector<std::string> expected{"schema@5", "batch", "snapshot@5"};
  EXPECT_EQ(handler.events(), expected);
}

// After deliveries the log is empty, but the snapshot still follows the last delivered change: an
// archive restores it and then the changes from the next id.
TEST_F(EngineTest, ABootstrapAfterDeliveriesEndsAtTheLastDeliveredId) {
  SetUpCapture();
  InsertItems(0, 5);
  {
    auto engine = OpenEngine(Options());
    RecordingHandler drained;
    ASSERT_TRUE(engine->DrainOnce(drained).ok());
    ASSERT_EQ(drained.all().size(), 5u);
  }
  auto engine = OpenEngine(Options());
  RecordingHandler handler;
  ASSERT_TRUE(engine->Bootstrap(handler).ok());
  const std::vector<std::string> expected{"schema@5", "batch", "snapshot@5"};
  EXPECT_EQ(handler.events(), expected);
}

// Writes `rows` items through its own connection while the first bootstrap batch is handled: after
// the snapshot was taken, so their changes are the snapshot's successors.
class WritingDuringBootstrapHandler : public RecordingHandler {
 public:
  WritingDuringBootstrapHandler(const std::string& path, int rows) : path_(path), rows_(rows) {}
  HandlerResult Handle(const Changes& batch) override {
    if (!batch.empty() && batch.front().bootstrap && !written_) {
      written_ = true;
      AppDb app(path_);
      for (int i = 0; i < rows_; ++i) app.Exec("INSERT INTO items VALUES (" + std::to_string(100 + i) + ", 0, 'late')");
    }
    return RecordingHandler::Handle(batch);
  }

 private:
  std::string path_;
  int rows_;
  bool written_ = false;
};

TEST_F(EngineTest, BootstrapThenDrainDeliversEachChangeOnce) {
  SetUpCapture();
  InsertItems(0, 5);  // log ids 1..5, which the snapshot holds
  auto engine = OpenEngine(Options());
  WritingDuringBootstrapHandler handler(path_, 3);  // log ids 6..8, after the snapshot
  ASSERT_TRUE(engine->BootstrapThenDrain(handler).ok());
  std::vector<int64_t> log_ids;
  size_t bootstrap_rows = 0;
  for (const Change& change : handler.all()) {
    if (change.bootstrap) {
      ++bootstrap_rows;
    } else {
      log_ids.push_back(change.id);
    }
  }
  EXPECT_EQ(bootstrap_rows, 5u);
  EXPECT_EQ(log_ids, (std::vector<int64_t>{6, 7, 8}));
  EXPECT_EQ(Backlog(), 0);
  EXPECT_EQ(app_.Int("SELECT last_deleted_id FROM __cdc_log_state"), 8);
}

// On simulated time (FakeEnv): the test reads the engine's schedule instead of waiting it out.
TEST_F(EngineTest, ARetryWaitsAsLongAsTheHandlerAskedUpToTheMaximumBackoff) {
  SetUpCapture();
  InsertItems(0, 1);
  testing::FakeEnv env;
  EngineOptions options = Options();
  options.env = &env;
  options.retry.max_backoff = milliseconds(300);
  auto engine = OpenEngine(options);
  RecordingHandler handler;
  handler.failures = 2;
  handler.failure = HandlerResult::RetryAfter("429 Too Many Requests", milliseconds(200));
  ASSERT_TRUE(engine->DrainOnce(handler).ok());
  EXPECT_EQ(env.waits(), std::vector<milliseconds>({milliseconds(200), milliseconds(200)}));

  handler.failures = 1;
  handler.failure = HandlerResult::RetryAfter("503", std::chrono::hours(1));
  InsertItems(1, 1);
  ASSERT_TRUE(engine->DrainOnce(handler).ok());
  EXPECT_EQ(env.waits(), std::vector<milliseconds>({milliseconds(200), milliseconds(200), milliseconds(300)}))
      << "capped at max_backoff";
  EXPECT_EQ(handler.all().size(), 2u);
}

TEST_F(EngineTest, TheRetryScheduleDoublesWithEqualJitterUpToTheMaximum) {
  SetUpCapture();
  InsertItems(0, 4);
  testing::FakeEnv env;
  EngineOptions options = Options();
  options.env = &env;
  options.retry.initial_backoff = milliseconds(100);
  options.retry.max_backoff = milliseconds(400);
  options.retry.max_attempts = 6;
  auto engine = OpenEngine(options);
  RecordingHandler handler;
  handler.failures = 1000;
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(engine->DrainOnce(handler).code(), Status::Code::kHandlerFailed);
  const auto took = std::chrono::steady_clock::now() - started;

  const std::vector<milliseconds> waits = env.waits();
  ASSERT_EQ(waits.size(), 5u) << "one wait between two of the 6 attempts";
  milliseconds base = options.retry.initial_backoff;
  for (size_t i = 0; i < waits.size(); ++i) {
    EXPECT_GE(waits[i], base / 2) << "retry " << i + 1;
    EXPECT_LE(waits[i], base) << "retry " << i + 1;
    base = std::min(base * 2, options.retry.max_backoff);
  }
  EXPECT_LT(took, std::accumulate(waits.begin(), waits.end(), milliseconds(0))) << "no wait was real";
  EXPECT_EQ(handler.calls(), 6);
  EXPECT_EQ(Backlog(), 4);
}

// The real environment's wait: a stop ends it at once, and the batch stays in the log.
TEST_F(EngineTest, AStopCutsARetryWaitShort) {
  SetUpCapture();
  InsertItems(0, 2);
  EngineOptions options = Options();
  options.retry.initial_backoff = std::chrono::hours(1);
  options.retry.max_backoff = std::chrono::hours(1);
  auto engine = OpenEngine(options);
  RecordingHandler handler;
  handler.failures = 1;
  Status result = Status::DatabaseError("not finished");
  const auto started = std::chrono::steady_clock::now();
  std::thread runner([&] { result = engine->DrainOnce(handler); });
  ASSERT_TRUE(WaitUntil([&] { return handler.calls() == 1; }));
  engine->Stop();
  runner.join();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  EXPECT_EQ(result.code(), Status::Code::kCancelled) << result.ToString();
  EXPECT_EQ(handler.calls(), 1);
  EXPECT_EQ(Backlog(), 2);
}

// An embedding program routes the library's log lines: they reach its Logger, none reach spdlog's
// default logger (where they go without one, as in the command-line programs).
TEST_F(EngineTest, TheEnginesLogLinesGoToTheInjectedLogger) {
  SetUpCapture();
  InsertItems(0, 3);
  std::ostringstream spdlog_output;
  const auto previous = spdlog::default_logger();
  spdlog::set_default_logger(
      std::make_shared<spdlog::logger>("capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(spdlog_output)));
  testing::FakeEnv env;
  testing::RecordingLogger logger;
  EngineOptions options = Options();
  options.env = &env;
  options.info_log = &logger;
  options.retry.initial_backoff = milliseconds(100);
  auto engine = OpenEngine(options);
  RecordingHandler handler;
  ASSERT_TRUE(engine->Bootstrap(handler).ok());
  InsertItems(3, 2);
  handler.failures = 1;
  ASSERT_TRUE(engine->DrainOnce(handler).ok());
  spdlog::set_default_logger(previous);

  ASSERT_EQ(env.waits().size(), 1u);
  EXPECT_EQ(logger.lines(), std::vector<std::string>({
                                "info: bootstrap: 3 rows from 1 tables",
                                "warning: handler failed on log ids 1..5 (attempt 1 of 10), retrying in " +
                                    std::to_string(env.waits()[0].count()) + " ms: receiver unavailable",
                            }));
  EXPECT_EQ(spdlog_output.str(), "");
}

TEST_F(EngineTest, PastTheRetryBoundsItStopsWithTheLogUntouched) {
  SetUpCapture();
  InsertItems(0, 10);
  EngineOptions options = Options();
  options.retry.max_attempts = 3;
  auto engine = OpenEngine(options);
  RecordingHandler handler;
  handler.failures = 1000;
  const Status status = engine->DrainOnce(handler);
  EXPECT_EQ(status.code(), Status::Code::kHandlerFailed);
  EXPECT_NE(status.message().find("receiver unavailable"), std::string::npos) << status.message();
  EXPECT_EQ(handler.calls(), 3);
  EXPECT_EQ(Backlog(), 10);
}

TEST_F(EngineTest, AFatalHandlerErrorStopsAtOnce) {
  SetUpCapture();
  InsertItems(0, 3);
  auto engine = OpenEngine(Options());
  RecordingHandler handler;
  handler.failures = 1;
  handler.failure = HandlerResult::Fatal("400 Bad Request");
  EXPECT_EQ(engine->DrainOnce(handler).code(), Status::Code::kHandlerFailed);
  EXPECT_EQ(handler.calls(), 1);
  EXPECT_EQ(Backlog(), 3);
}

TEST_F(EngineTest, ASecondEngineOnTheSameLogIsRefused) {
  SetUpCapture();
  auto first = OpenEngine(Options());
  std::unique_ptr<Engine> second;
  const Status status = Engine::Open(Options(), &second);
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(status.message().find("another sqlite-cdc engine"), std::string::npos) << status.message();
  first.reset();
  EXPECT_TRUE(Engine::Open(Options(), &second).ok()) << "the lock goes with the first engine";
}

TEST_F(EngineTest, ADatabaseWithoutSetupIsBadInputAndStaysUntouched) {
  const auto schema = testing::SchemaSnapshot(app_);
  std::unique_ptr<Engine> engine;
  const Status status = Engine::Open(Options(), &engine);
  EXPECT_EQ(status.code(), Status::Code::kNotFound);
  EXPECT_NE(status.message().find("sqlite-cdc-setup --setup"), std::string::npos) << status.message();
  EXPECT_EQ(testing::SchemaSnapshot(app_), schema);
  EXPECT_EQ(AppDb(path_).Text("PRAGMA journal_mode"), "delete");
}

TEST_F(EngineTest, RunCdcPicksUpCommitsOfAnotherConnectionUntilStopped) {
  SetUpCapture();
  auto engine = OpenEngine(Options());
  RecordingHandler handler;
  Status result = Status::DatabaseError("not finished");
  std::thread runner([&] { result = engine->RunCdc(handler); });
  for (int i = 0; i < 20; ++i) InsertItems(i, 1);  // twenty separate commits
  EXPECT_TRUE(WaitUntil([&] { return handler.all().size() == 20; }));
  engine->Stop();
  runner.join();
  EXPECT_TRUE(result.ok()) << result.message();
  EXPECT_EQ(Backlog(), 0);
}

TEST_F(EngineTest, BootstrapOfACompositeKeyWithoutRowidTableEmitsEveryRowOnce) {
  app_.Exec("CREATE TABLE pairs (a INTEGER, b TEXT, v TEXT, PRIMARY KEY (b, a)) WITHOUT ROWID");
  app_.Exec("BEGIN");
  for (int i = 0; i < 2500; ++i) {
    app_.Exec("INSERT INTO pairs VALUES (" + std::to_string(i % 50) + ", 'k" + std::to_string(i / 50) + "', 'v')");
  }
  app_.Exec("COMMIT");
  CaptureOptions capture;
  capture.db_path = path_;
  capture.tables = {"pairs"};
  ASSERT_TRUE(sqlite_cdc::Setup(capture).ok());
  EngineOptions options = Options();
  options.capture.tables = {"pairs"};
  options.batch_size = 256;
  auto engine = OpenEngine(options);
  RecordingHandler handler;
  ASSERT_TRUE(engine->Bootstrap(handler).ok());
  EXPECT_EQ(handler.batches().size(), 10u);  // ceil(2500 / 256)
  std::set<std::string> keys;
  for (const Change& change : handler.all()) {
    EXPECT_TRUE(change.bootstrap);
    EXPECT_EQ(change.operation, Operation::kInsert);
    keys.insert(change.key);
  }
  EXPECT_EQ(handler.all().size(), 2500u);
  EXPECT_EQ(keys.size(), 2500u);
}

// A table whose columns take every name of the rowid (rowid, _rowid_, oid) is keyed by its primary
// key alone; its snapshot is read in key order.
TEST_F(EngineTest, BootstrapOfATableWhoseColumnsHideTheRowidEmitsEveryRowOnce) {
  app_.Exec("CREATE TABLE hidden (k TEXT PRIMARY KEY, rowid INTEGER, _rowid_ TEXT, oid REAL)");
  for (int i = 0; i < 5; ++i) app_.Exec("INSERT INTO hidden VALUES ('k" + std::to_string(i) + "', 1, 'x', 2.5)");
  CaptureOptions capture;
  capture.db_path = path_;
  capture.tables = {"hidden"};
  ASSERT_TRUE(sqlite_cdc::Setup(capture).ok());
  EngineOptions options = Options();
  options.capture.tables = {"hidden"};
  auto engine = OpenEngine(options);
  RecordingHandler handler;
  const Status status = engine->Bootstrap(handler);
  ASSERT_TRUE(status.ok()) << status.message();
  std::vector<std::string> keys;
  for (const Change& change : handler.all()) keys.push_back(change.key);
  EXPECT_EQ(keys, (std::vector<std::string>{R"({"k":"k0"})", R"({"k":"k1"})", R"({"k":"k2"})", R"({"k":"k3"})",
                                            R"({"k":"k4"})"}));
}

// Deletions are grouped: while the engine runs, what it delivered stays in the log until the
// interval passes (here: never), and a clean stop removes it, so nothing is delivered again.
TEST_F(EngineTest, DeliveredChangesLeaveTheLogInGroupsAndAtTheStop) {
  SetUpCapture();
  EngineOptions options = Options();
  options.ack_interval = std::chrono::hours(1);
  auto engine = OpenEngine(options);
  RecordingHandler handler;
  std::thread runner([&] { EXPECT_TRUE(engine->RunCdc(handler).ok()); });
  InsertItems(0, 10);
  ASSERT_TRUE(testing::WaitUntil([&] { return handler.all().size() == 10; }));
  InsertItems(10, 5);
  ASSERT_TRUE(testing::WaitUntil([&] { return handler.all().size() == 15; }));
  EXPECT_EQ(Backlog(), 15) << "delivered, not yet removed";
  StopAndExpectNothingDeliveredAgain(engine, runner);
}

// Deletions are short and paced (here: 4 changes each, the lock left free 999 times as long as it
// was held), so they fall behind delivery; a clean stop still removes everything delivered.
TEST_F(EngineTest, AStopRemovesEverythingDeliveredEvenWhenDeletionsAreBehind) {
  SetUpCapture();
  EngineOptions options = Options();
  options.ack_max_rows = 4;
  options.ack_lock_share = 0.001;
  auto engine = OpenEngine(options);
  RecordingHandler handler;
  std::thread runner([&] { EXPECT_TRUE(engine->RunCdc(handler).ok()); });
  InsertItems(0, 40);
  ASSERT_TRUE(testing::WaitUntil([&] { return handler.all().size() == 40; }));
  StopAndExpectNothingDeliveredAgain(engine, runner);
}

// Re-sending one table (--bootstrap --table T) must not swallow the other tables' changes that
// wait in the log: only T's are already in the snapshot.
TEST_F(EngineTest, BootstrappingOneTableStillDeliversTheOtherTablesChanges) {
  app_.Exec("CREATE TABLE other (id INTEGER PRIMARY KEY, v TEXT)");
  SetUpCapture();
  InsertItems(0, 3);
  app_.Exec("INSERT INTO other VALUES (1, 'a'), (2, 'b')");
  EngineOptions options = Options();
  options.capture.tables = {"items"};
  auto engine = OpenEngine(options);
  RecordingHandler handler;
  ASSERT_TRUE(engine->BootstrapThenDrain(handler).ok());
  std::vector<std::string> seen;
  for (const Change& change : handler.all()) {
    seen.push_back(change.table + (change.bootstrap ? " bootstrap " : " change ") + change.key);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{R"(items bootstrap {"id":0})", R"(items bootstrap {"id":1})",
                                            R"(items bootstrap {"id":2})", R"(other change {"id":1})",
                                            R"(other change {"id":2})"}));
  EXPECT_EQ(Backlog(), 0);
}

// Replays events onto a key -> image map: what a downstream replica would hold.
std::map<std::string, std::string> Replay(const Changes& changes) {
  std::map<std::string, std::string> state;
  for (const Change& change : changes) {
    if (change.operation == Operation::kDelete) {
      state.erase(change.key);
    } else {
      state[change.key] = *change.after;
    }
  }
  return state;
}

TEST_F(EngineTest, BootstrapThenCdcHandsOffConsistentlyWhileWritesRace) {
  SetUpCapture();
  InsertItems(0, 5000);
  app_.Exec("DELETE FROM __cdc_log");  // start from a drained log with a large table
  auto engine = OpenEngine(Options());
  RecordingHandler handler;
  std::thread runner([&] { (void)engine->BootstrapThenCdc(handler); });
  AppDb writer(path_);
  for (int i = 0; i < 300; ++i) {
    writer.Exec("UPDATE items SET n = n + 1000 WHERE id = " + std::to_string(i * 7 % 5000));
    writer.Exec("DELETE FROM items WHERE id = " + std::to_string(4999 - i));
    writer.Exec("INSERT INTO items VALUES (" + std::to_string(10000 + i) + ", 0, 'late')");
  }
  ASSERT_TRUE(WaitUntil([&] { return Backlog() == 0 && !handler.all().empty(); }));
  engine->Stop();
  runner.join();
  std::map<std::string, std::string> expected;
  for (const auto& row :
       app_.Rows("SELECT json_object('id', id), json_object('id', id, 'n', n, 'note', note) FROM items")) {
    expected[*row[0]] = *row[1];
  }
  EXPECT_EQ(Replay(handler.all()), expected);
}

TEST_F(EngineTest, DriftIsRepairedWithResync) {
  SetUpCapture();
  app_.Exec("ALTER TABLE items ADD COLUMN extra TEXT");
  EngineOptions options = Options();
  options.resync = true;
  auto engine = OpenEngine(options);
  app_.Exec("INSERT INTO items VALUES (1, 1, 'x', 'new column')");
  RecordingHandler handler;
  ASSERT_TRUE(engine->DrainOnce(handler).ok());
  ASSERT_EQ(handler.all().size(), 1u);
  EXPECT_EQ(testing::StrictJson(handler.all()[0].after)["extra"], "new column");
}

TEST_F(EngineTest, TextThatIsNotUtf8ArrivesAsValidJson) {
  SetUpCapture();
  app_.Exec("INSERT INTO items VALUES (1, 1, CAST(x'41C328E282' AS TEXT))");
  auto engine = OpenEngine(Options());
  RecordingHandler handler;
  ASSERT_TRUE(engine->DrainOnce(handler).ok());
  std::string event;
  AppendEventJson(event, handler.all().at(0));
  EXPECT_EQ(testing::StrictJson(event)["after"]["note"], "A\xEF\xBF\xBD(\xEF\xBF\xBD");
}

// What a program embedding the engine gets back: a code it can act on and a message naming the
// option in the library's own words.
TEST_F(EngineTest, BadOptionsAreInvalidArgumentsNamedAsTheOptionsSpellThem) {
  SetUpCapture();
  const auto refused = [&](const std::function<void(EngineOptions&)>& change) {
    EngineOptions options = Options();
    change(options);
    std::unique_ptr<Engine> engine;
    return Engine::Open(options, &engine).ToString();
  };
  EXPECT_EQ(refused([](EngineOptions& o) { o.batch_size = 0; }), "invalid argument: batch_size must be at least 1");
  EXPECT_EQ(refused([](EngineOptions& o) { o.poll_interval = std::chrono::milliseconds(0); }),
            "invalid argument: poll_interval must be positive");
  EXPECT_EQ(refused([](EngineOptions& o) { o.retry.max_attempts = 0; }),
            "invalid argument: retry.max_attempts must be at least 1");
  EXPECT_EQ(refused([](EngineOptions& o) { o.capture.log_table = ""; }),
            "invalid argument: log_table must not be empty");
  EXPECT_EQ(refused([](EngineOptions& o) { o.capture.db_params = "_pragma=nope"; }),
            "invalid argument: db_params: malformed pragma 'nope' (expected name(value))");
}

TEST_F(EngineTest, AFailedOpenLeavesTheCallersEngineAsItWas) {
  SetUpCapture();
  std::unique_ptr<Engine> engine = OpenEngine(Options());
  Engine* const first = engine.get();
  EngineOptions options = Options();
  options.batch_size = 0;
  EXPECT_EQ(Engine::Open(options, &engine).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(engine.get(), first);
}

TEST_F(EngineTest, WhatDoesNotExistIsNotFound) {
  EngineOptions options = Options();
  options.capture.db_path = dir_.File("missing.db");
  std::unique_ptr<Engine> engine;
  EXPECT_EQ(Engine::Open(options, &engine).ToString(),
            "not found: database file not found: " + dir_.File("missing.db"));
  SetUpCapture();
  options = Options();
  options.capture.tables = {"nope"};
  EXPECT_EQ(Engine::Open(options, &engine).ToString(), "not found: no such table: nope");
}

TEST_F(EngineTest, ADamagedLogRowIsCorruptionNamingItsId) {
  SetUpCapture();
  InsertItems(0, 2);
  const int64_t damaged = app_.Int("SELECT max(id) FROM __cdc_log");
  app_.Exec("UPDATE __cdc_log SET operation = 'MERGE' WHERE id = " + std::to_string(damaged));
  auto engine = OpenEngine(Options());
  RecordingHandler handler;
  const Status status = engine->DrainOnce(handler);
  EXPECT_EQ(status.code(), Status::Code::kCorruption) << status.ToString();
  EXPECT_EQ(
      status.message().rfind("log id " + std::to_string(damaged) + " (table items, operation MERGE) is damaged", 0), 0u)
      << status.message();
  EXPECT_EQ(handler.all().size(), 1u) << "the row before it is delivered";
}

// An error from deep in the engine says what the engine was doing when it happened.
TEST_F(EngineTest, AFailedRemovalFromTheLogNamesTheIdsItWasRemoving) {
  SetUpCapture();
  InsertItems(0, 3);
  app_.Exec("CREATE TRIGGER keep BEFORE DELETE ON __cdc_log BEGIN SELECT RAISE(ABORT, 'kept by a test'); END");
  auto engine = OpenEngine(Options());
  RecordingHandler handler;
  const Status status = engine->DrainOnce(handler);
  ASSERT_EQ(handler.all().size(), 3u);
  EXPECT_EQ(status.code(), Status::Code::kDatabaseError) << status.ToString();
  const std::string last = std::to_string(handler.all().back().id);
  EXPECT_NE(status.message().find("acknowledge log ids "), std::string::npos) << status.message();
  EXPECT_NE(status.message().find(".." + last + ": step: kept by a test"), std::string::npos) << status.message();
  EXPECT_EQ(Backlog(), 3) << "nothing left the log";
}

// Stops the engine from inside the first batch it is handed, which it accepts.
class StoppingHandler : public RecordingHandler {
 public:
  explicit StoppingHandler(std::unique_ptr<Engine>& engine) : engine_(engine) {}
  HandlerResult Handle(const Changes& batch) override {
    engine_->Stop();
    return RecordingHandler::Handle(batch);
  }

 private:
  std::unique_ptr<Engine>& engine_;
};

TEST_F(EngineTest, AStoppedBootstrapIsCancelledNotOk) {
  InsertItems(0, 25);
  SetUpCapture();
  EngineOptions options = Options();
  options.batch_size = 10;
  auto engine = OpenEngine(options);
  StoppingHandler handler(engine);
  const Status status = engine->Bootstrap(handler);
  EXPECT_EQ(status.ToString(),
            "cancelled: stopped during the bootstrap after 10 of 25 rows; a bootstrap run again starts from the "
            "first row");
  EXPECT_EQ(handler.all().size(), 10u);
}

TEST_F(EngineTest, AStoppedBootstrapThenCdcIsCancelledBeforeItsCdcBegins) {
  InsertItems(0, 25);
  SetUpCapture();
  InsertItems(100, 3);
  EngineOptions options = Options();
  options.batch_size = 10;
  auto engine = OpenEngine(options);
  StoppingHandler handler(engine);
  EXPECT_EQ(engine->BootstrapThenCdc(handler).code(), Status::Code::kCancelled);
  EXPECT_EQ(Backlog(), 3) << "the log is delivered by a later run";
}

TEST_F(EngineTest, StopIsFinalAndEachCallSaysSoAtOnce) {
  SetUpCapture();
  InsertItems(0, 3);
  auto engine = OpenEngine(Options());
  engine->Stop();
  RecordingHandler handler;
  EXPECT_EQ(engine->Bootstrap(handler).code(), Status::Code::kCancelled);
  EXPECT_EQ(engine->DrainOnce(handler).code(), Status::Code::kCancelled);
  EXPECT_EQ(engine->BootstrapThenDrain(handler).code(), Status::Code::kCancelled);
  EXPECT_EQ(engine->BootstrapThenCdc(handler).code(), Status::Code::kCancelled);
  EXPECT_TRUE(engine->RunCdc(handler).ok()) << "a stop is how RunCdc ends";
  EXPECT_EQ(handler.calls(), 0);
  EXPECT_EQ(Backlog(), 3);
}

}  // namespace
}  // namespace sqlite_cdc
