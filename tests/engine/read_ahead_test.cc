// Reading a backlog ahead on a second connection and thread (PipelineOptions::read_ahead) changes
// nothing a handler sees: every change once, in log order, damaged rows stopped at or set aside once,
// and commits made while it reads are delivered too.
#include <gtest/gtest.h>

#include <fstream>
#include <numeric>
#include <thread>

#include "read_ahead.h"
#include "sqlite_cdc/engine.h"
#include "support/captured_db.h"
#include "support/engine_db_test.h"
#include "support/process.h"
#include "support/recording_handler.h"

namespace sqlite_cdc {
namespace {

using testing::RecordingHandler;

std::vector<int64_t> Ids(const Changes& changes) {
  std::vector<int64_t> ids;
  for (const Change& change : changes) ids.push_back(change.id);
  return ids;
}

std::vector<int64_t> IdsFromOneTo(int64_t last) {
  std::vector<int64_t> ids(static_cast<size_t>(last));
  std::iota(ids.begin(), ids.end(), 1);
  return ids;
}

// Over batches read ahead: none (the engine's thread only), one, and more than a drain needs.
class ReadAheadTest : public testing::EngineDbTest, public ::testing::WithParamInterface<size_t> {
 protected:
  ReadAheadTest() { SetUpCapture(); }

  EngineOptions Options() const {
    EngineOptions options = EngineDbTest::Options();
    options.batch_size = 64;
    options.pipeline.read_ahead = GetParam();
    return options;
  }

  void DamageLogRow(int64_t id) {
    app_.Exec("UPDATE __cdc_log SET after = '{\"id\":' WHERE id = " + std::to_string(id));
  }
};

TEST_P(ReadAheadTest, ABacklogIsDeliveredOnceInLogOrder) {
  InsertItems(0, 1000);
  auto engine = OpenEngine(Options());
  RecordingHandler handler;
  ASSERT_TRUE(engine->DrainOnce(handler).ok());
  EXPECT_EQ(Ids(handler.all()), IdsFromOneTo(1000));
  EXPECT_EQ(handler.batches().size(), 16u) << "ceil(1000 / 64) batches";
  EXPECT_EQ(Backlog(), 0);
}

TEST_P(ReadAheadTest, ADamagedRowInABacklogStopsTheEngineAfterEverythingBeforeIt) {
  InsertItems(0, 1000);
  DamageLogRow(500);
  auto engine = OpenEngine(Options());
  RecordingHandler handler;
  const Status status = engine->DrainOnce(handler);
  EXPECT_EQ(status.code(), Status::Code::kCorruption) << status.ToString();
  EXPECT_EQ(status.message().rfind("log id 500 ", 0), 0u) << status.message();
  EXPECT_EQ(Ids(handler.all()), IdsFromOneTo(499));
  EXPECT_EQ(Backlog(), 501) << "the damaged row and everything after it stay in the log";
}

TEST_P(ReadAheadTest, ADamagedRowInABacklogIsSetAsideOnceAndTheRestDeliveredInOrder) {
  InsertItems(0, 1000);
  DamageLogRow(500);
  EngineOptions options = Options();
  options.dead_letter_path = path_ + ".dead";
  auto engine = OpenEngine(options);
  RecordingHandler handler;
  ASSERT_TRUE(engine->DrainOnce(handler).ok());
  std::vector<int64_t> expected = IdsFromOneTo(1000);
  expected.erase(expected.begin() + 499);
  EXPECT_EQ(Ids(handler.all()), expected);
  std::ifstream dead(options.dead_letter_path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(dead, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 1u) << "set aside once, however often it was read";
  EXPECT_NE(lines[0].find("\"id\":500"), std::string::npos) << lines[0];
  EXPECT_EQ(Backlog(), 0);
}

// Rows committed while a handler runs have higher ids than anything read before; a batch read
// ahead before them is only the beginning of what follows, and the drain still reads to the end.
TEST_P(ReadAheadTest, RowsCommittedWhileABatchIsHandledArriveInTheSameDrain) {
  class WritingHandler : public RecordingHandler {
   public:
    std::function<void(int)> during;  // called with the number of earlier calls
    HandlerResult Handle(const Changes& batch) override {
      during(calls());
      return RecordingHandler::Handle(batch);
    }
  };
  InsertItems(0, 1000);
  auto engine = OpenEngine(Options());
  WritingHandler handler;
  handler.during = [&](int call) {
    if (call == 2 || call == 15) InsertItems(10000 + call * 100, 100);
  };
  ASSERT_TRUE(engine->DrainOnce(handler).ok());
  EXPECT_EQ(Ids(handler.all()), IdsFromOneTo(1200));
  EXPECT_EQ(Backlog(), 0);
}

TEST_P(ReadAheadTest, CommitsOfAnotherProcessDuringABacklogAreAllDeliveredInOrder) {
  InsertItems(1000000, 3000);  // a backlog, beside the writer's rows
  auto engine = OpenEngine(Options());
  RecordingHandler handler;
  Status result = Status::DatabaseError("not finished");
  std::thread runner([&] { result = engine->RunCdc(handler); });
  const testing::ProcessResult writer = testing::RunProcess(testing::WriterPath(), {path_, "3000"});
  ASSERT_EQ(writer.exit_code, 0) << writer.err;
  const int64_t last = app_.Int("SELECT max(id) FROM __cdc_log");
  EXPECT_TRUE(testing::WaitUntil([&] { return handler.received() >= last; })) << handler.received() << " of " << last;
  engine->Stop();
  runner.join();
  EXPECT_TRUE(result.ok()) << result.message();
  EXPECT_EQ(Ids(handler.all()), IdsFromOneTo(last));
  EXPECT_EQ(Backlog(), 0);
}

INSTANTIATE_TEST_SUITE_P(Batches, ReadAheadTest, ::testing::Values(size_t{0}, size_t{1}, size_t{8}),
                         [](const ::testing::TestParamInfo<size_t>& info) {
                           return "ReadAhead" + std::to_string(info.param);
                         });

// The reader itself: what it hands out, and that it hands out nothing it was not asked for.
class ReadAheadReaderTest : public testing::EngineDbTest {
 protected:
  static constexpr size_t kBatch = 64;

  ReadAheadReaderTest() { SetUpCapture(); }

  std::unique_ptr<internal::ReadAhead> Reader(size_t depth) const {
    return std::make_unique<internal::ReadAhead>(path_, std::vector<internal::Pragma>{},
                                                 schema::LogTableNames::For("__cdc_log"), kBatch, depth,
                                                 internal::InfoLog(nullptr));
  }
};

TEST_F(ReadAheadReaderTest, AfterAFullBatchTheNextBatchesAreReadAheadInOrder) {
  InsertItems(0, 200);
  auto reader = Reader(2);
  Changes batch;
  reader->ReadOnAfter(64, kBatch);
  ASSERT_EQ(reader->Take(64, batch), std::optional<int64_t>(128));
  EXPECT_EQ(Ids(batch).front(), 65);
  EXPECT_EQ(Ids(batch).back(), 128);
  ASSERT_EQ(reader->Take(128, batch), std::optional<int64_t>(192));
  EXPECT_EQ(batch.size(), kBatch);
  ASSERT_EQ(reader->Take(192, batch), std::optional<int64_t>(200)) << "the last, short batch";
  EXPECT_EQ(batch.size(), 8u);
  EXPECT_EQ(reader->Take(200, batch), std::nullopt) << "after a short batch nothing is read ahead";
}

TEST_F(ReadAheadReaderTest, AfterAShortBatchNothingIsReadAhead) {
  InsertItems(0, 200);
  auto reader = Reader(2);
  Changes batch;
  reader->ReadOnAfter(64, kBatch - 1);
  EXPECT_EQ(reader->Take(64, batch), std::nullopt);
}

TEST_F(ReadAheadReaderTest, ABatchForAnotherPositionIsNotHandedOut) {
  InsertItems(0, 200);
  auto reader = Reader(2);
  Changes batch;
  reader->ReadOnAfter(64, kBatch);
  EXPECT_EQ(reader->Take(10, batch), std::nullopt);
  EXPECT_TRUE(batch.empty());
  EXPECT_EQ(reader->Take(64, batch), std::nullopt) << "what was read ahead of another position is dropped";
}

TEST_F(ReadAheadReaderTest, DroppedReadsAreNotHandedOut) {
  InsertItems(0, 200);
  auto reader = Reader(2);
  Changes batch;
  reader->ReadOnAfter(64, kBatch);
  reader->Drop();
  EXPECT_EQ(reader->Take(64, batch), std::nullopt);
}

TEST_F(ReadAheadReaderTest, WithDepthZeroNothingIsReadAhead) {
  InsertItems(0, 200);
  auto reader = Reader(0);
  Changes batch;
  reader->ReadOnAfter(64, kBatch);
  EXPECT_EQ(reader->Take(64, batch), std::nullopt);
}

}  // namespace
}  // namespace sqlite_cdc
