// EngineOptions::bootstrap_progress as a program that shows progress uses it: every report of a
// real bootstrap, checked against the tables' sizes and what the handler had received.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "sqlite_cdc/engine.h"
#include "support/app_db.h"
#include "support/captured_db.h"
#include "support/recording_handler.h"

namespace sqlite_cdc {
namespace {

using Phase = BootstrapProgress::Phase;

struct Report {
  BootstrapProgress progress;
  int64_t received_then;  // rows the handler had accepted when the report came
};

class BootstrapProgressTest : public testing::CapturedDbTest {
 protected:
  BootstrapProgressTest()
      : CapturedDbTest(
            "CREATE TABLE big (id INTEGER PRIMARY KEY, note TEXT);"
            "CREATE TABLE empty (id INTEGER PRIMARY KEY);"
            "CREATE TABLE small (a TEXT, b INTEGER, PRIMARY KEY (a, b)) WITHOUT ROWID") {
    testing::AppDb app(path_);
    app.Exec("BEGIN");
    for (int i = 0; i < 5000; ++i) app.Exec("INSERT INTO big VALUES (" + std::to_string(i) + ", 'row')");
    for (int i = 0; i < 300; ++i) app.Exec("INSERT INTO small VALUES ('k', " + std::to_string(i) + ")");
    app.Exec("COMMIT");
    SetUpCapture();
  }

  // Bootstraps in batches of 100 and returns every report, in order.
  std::vector<Report> Bootstrap() {
    testing::RecordingHandler handler;
    std::vector<Report> reports;
    EngineOptions options;
    options.capture.db_path = path_;
    options.batch_size = 100;
    options.bootstrap_progress = [&](const BootstrapProgress& progress) {
      reports.push_back({progress, handler.received()});
    };
    std::unique_ptr<Engine> engine;
    EXPECT_TRUE(Engine::Open(options, &engine).ok());
    const Status status = engine->Bootstrap(handler);
    EXPECT_TRUE(status.ok()) << status.message();
    EXPECT_EQ(handler.received(), 5300);
    return reports;
  }
};

TEST_F(BootstrapProgressTest, EachTableAndPhaseCountsUpFromZeroToItsRowCount) {
  const std::vector<Report> reports = Bootstrap();
  const std::map<std::string, int64_t> sizes{{"big", 5000}, {"empty", 0}, {"small", 300}};
  std::map<std::pair<Phase, std::string>, std::vector<int64_t>> counts;
  for (const Report& report : reports) {
    EXPECT_EQ(report.progress.rows_total, sizes.at(report.progress.table)) << report.progress.table;
    counts[{report.progress.phase, report.progress.table}].push_back(report.progress.rows_done);
  }
  for (Phase phase : {Phase::kSnapshot, Phase::kDelivery}) {
    for (const auto& [table, size] : sizes) {
      const std::vector<int64_t>& done = counts[{phase, table}];
      ASSERT_FALSE(done.empty()) << table;
      EXPECT_EQ(done.front(), 0) << table;
      EXPECT_EQ(done.back(), size) << table;
      EXPECT_TRUE(std::is_sorted(done.begin(), done.end())) << table;
    }
  }
  EXPECT_GE((counts[{Phase::kSnapshot, "big"}].size()), 5u) << "reports while the copy runs, not only at its ends";
  EXPECT_EQ((counts[{Phase::kDelivery, "big"}].size()), 51u) << "0, then after each of the 50 batches";
}

TEST_F(BootstrapProgressTest, TheSnapshotComesFirstThenDeliveryInTableOrder) {
  std::vector<std::pair<Phase, std::string>> order;
  for (const Report& report : Bootstrap()) {
    const std::pair<Phase, std::string> step{report.progress.phase, report.progress.table};
    if (order.empty() || order.back() != step) order.push_back(step);
  }
  const std::vector<std::pair<Phase, std::string>> expected{{Phase::kSnapshot, "big"},   {Phase::kSnapshot, "empty"},
                                                            {Phase::kSnapshot, "small"}, {Phase::kDelivery, "big"},
                                                            {Phase::kDelivery, "empty"}, {Phase::kDelivery, "small"}};
  EXPECT_EQ(order, expected);
}

TEST_F(BootstrapProgressTest, DeliveredCountsAreRowsTheHandlerAccepted) {
  // The tables' sizes are multiples of the batch size, so no batch spans two tables here.
  int64_t finished_tables = 0;
  for (const Report& report : Bootstrap()) {
    if (report.progress.phase != Phase::kDelivery) continue;
    EXPECT_EQ(finished_tables + report.progress.rows_done, report.received_then) << report.progress.table;
    if (report.progress.rows_done == report.progress.rows_total) finished_tables += report.progress.rows_total;
  }
}

// A stop does not wait for the copy of a large table (seconds, for millions of rows): the copy ends
// where the stop finds it, nothing is delivered, and no read transaction is left holding the WAL.
TEST_F(BootstrapProgressTest, AStopDuringTheCopyEndsItThereAndHoldsNoReadTransaction) {
  testing::RecordingHandler handler;
  EngineOptions options;
  options.capture.db_path = path_;
  std::unique_ptr<Engine> engine;
  int64_t copied_when_stopped = -1, copied_last = -1;
  options.bootstrap_progress = [&](const BootstrapProgress& progress) {
    if (progress.phase != Phase::kSnapshot || progress.table != "big") return;
    copied_last = progress.rows_done;
    if (progress.rows_done >= 1024 && copied_when_stopped < 0) {
      copied_when_stopped = progress.rows_done;
      engine->Stop();
    }
  };
  ASSERT_TRUE(Engine::Open(options, &engine).ok());
  const Status status = engine->Bootstrap(handler);
  EXPECT_EQ(status.code(), Status::Code::kCancelled) << status.message();
  EXPECT_NE(status.message().find("before its snapshot was taken"), std::string::npos) << status.message();
  EXPECT_EQ(handler.received(), 0);
  ASSERT_GE(copied_when_stopped, 1024);
  EXPECT_LT(copied_last, 5000) << "the copy went on to the table's end";
  // With the engine still open, the application can checkpoint and restart the whole WAL.
  testing::AppDb app(path_);
  app.Exec("INSERT INTO small VALUES ('after', 1)");
  EXPECT_EQ(app.Int("PRAGMA wal_checkpoint(TRUNCATE)"), 0);
}

}  // namespace
}  // namespace sqlite_cdc
