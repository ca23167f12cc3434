// A sink that keeps the log position with its data (exactly once): where the engine resumes, what
// it refuses, and how a bootstrap meets a sink that already holds a snapshot.
#include <gtest/gtest.h>

#include <mutex>

#include "sqlite_cdc/engine.h"
#include "support/app_db.h"
#include "support/captured_db.h"
#include "support/engine_db_test.h"
#include "support/recording_handler.h"

namespace sqlite_cdc {
namespace {

using std::chrono::milliseconds;
using testing::AppDb;

SinkPosition Kept(std::optional<int64_t> log_id = std::nullopt,
                  SinkPosition::Snapshot snapshot = SinkPosition::Snapshot::kNone) {
  SinkPosition position;
  position.kept = true;
  position.log_id = log_id;
  position.snapshot = snapshot;
  return position;
}

// A destination that stores each batch together with the id of its last change, as a replica
// stores them in one transaction, and the snapshot's position with its end.
class PositionKeepingSink : public ChangesHandler {
 public:
  explicit PositionKeepingSink(SinkPosition position = Kept()) : position_(position) {}

  HandlerResult Handle(const Changes& batch) override {
    std::lock_guard lock(mutex_);
    if (fail_after_changes >= 0 && static_cast<int64_t>(stored_.size()) >= fail_after_changes) {
      return HandlerResult::Fatal("destination refused");
    }
    stored_.insert(stored_.end(), batch.begin(), batch.end());
    if (!batch.back().bootstrap) position_.log_id = batch.back().id;
    return HandlerResult::Success();
  }
  HandlerResult OnSnapshotComplete(int64_t log_position) override {
    std::lock_guard lock(mutex_);
    position_.snapshot = SinkPosition::Snapshot::kComplete;
    position_.log_id = log_position;
    return HandlerResult::Success();
  }
  HandlerResult ReadPosition(SinkPosition* position) override {
    std::lock_guard lock(mutex_);
    ++position_reads_;
    *position = position_;
    return HandlerResult::Success();
  }

  Changes stored() const {
    std::lock_guard lock(mutex_);
    return stored_;
  }
  int position_reads() const {
    std::lock_guard lock(mutex_);
    return position_reads_;
  }

  int64_t fail_after_changes = -1;  // refuse every batch once this many changes are stored

 private:
  mutable std::mutex mutex_;
  SinkPosition position_;
  Changes stored_;
  int position_reads_ = 0;
};

std::vector<int64_t> Ids(const Changes& changes) {
  std::vector<int64_t> ids;
  for (const Change& change : changes) ids.push_back(change.id);
  return ids;
}

std::vector<int64_t> Range(int64_t first, int64_t last) {
  std::vector<int64_t> ids;
  for (int64_t id = first; id <= last; ++id) ids.push_back(id);
  return ids;
}

class SinkPositionTest : public testing::EngineDbTest {
 protected:
  SinkPositionTest() : EngineDbTest(std::string(testing::kItemsTable) + "; CREATE TABLE other (k TEXT PRIMARY KEY)") {
    SetUpCapture();
  }

  EngineOptions Options() const {
    EngineOptions options = EngineDbTest::Options();
    options.batch_size = 16;
    return options;
  }
};

TEST_F(SinkPositionTest, DeliveryResumesAfterTheSinksPositionAndTheLogUpToItIsRemoved) {
  InsertItems(0, 100);
  PositionKeepingSink sink(Kept(40));
  ASSERT_TRUE(OpenEngine(Options())->DrainOnce(sink).ok());
  EXPECT_EQ(Ids(sink.stored()), Range(41, 100)) << "what the sink holds is not delivered again";
  EXPECT_EQ(Backlog(), 0);
}

TEST_F(SinkPositionTest, ASinkThatStoredNothingGetsTheWholeLog) {
  InsertItems(0, 50);
  PositionKeepingSink sink;
  ASSERT_TRUE(OpenEngine(Options())->DrainOnce(sink).ok());
  EXPECT_EQ(Ids(sink.stored()), Range(1, 50));
}

TEST_F(SinkPositionTest, ASinkWithoutAPositionGetsAgainWhatTheLogStillHolds) {
  InsertItems(0, 50);
  PositionKeepingSink sink(SinkPosition{});  // an at-least-once sink
  ASSERT_TRUE(OpenEngine(Options())->DrainOnce(sink).ok());
  EXPECT_EQ(Ids(sink.stored()), Range(1, 50));
}

TEST_F(SinkPositionTest, ASinkAtAPositionPastTheLogIsRefusedAndNothingLeavesTheLog) {
  InsertItems(0, 50);
  PositionKeepingSink sink(Kept(5000));
  const Status status = OpenEngine(Options())->DrainOnce(sink);
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument) << status.ToString();
  EXPECT_NE(status.message().find("past this log's last id 50"), std::string::npos) << status.message();
  EXPECT_TRUE(sink.stored().empty());
  EXPECT_EQ(Backlog(), 50);
}

TEST_F(SinkPositionTest, ASinkBehindWhatTheLogRemovedIsRefusedRatherThanLeftWithAGap) {
  InsertItems(0, 50);
  PositionKeepingSink elsewhere(SinkPosition{});
  ASSERT_TRUE(OpenEngine(Options())->DrainOnce(elsewhere).ok());  // another output took ids 1..50
  InsertItems(50, 10);
  PositionKeepingSink sink(Kept(20));
  const Status status = OpenEngine(Options())->DrainOnce(sink);
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument) << status.ToString();
  EXPECT_NE(status.message().find("ids 21 to 50"), std::string::npos) << status.message();
  EXPECT_TRUE(sink.stored().empty());
  EXPECT_EQ(Backlog(), 10);
}

TEST_F(SinkPositionTest, ASinkAtAPositionOfAnotherLogIsRefusedAndOneOfThisLogResumes) {
  InsertItems(0, 50);
  SinkPosition other = Kept(40);
  other.log_epoch = "0123456789abcdef0123456789abcdef";
  PositionKeepingSink stranger(other);
  const Status status = OpenEngine(Options())->DrainOnce(stranger);
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument) << status.ToString();
  EXPECT_NE(status.message().find("another log"), std::string::npos) << status.message();
  EXPECT_TRUE(stranger.stored().empty());
  EXPECT_EQ(Backlog(), 50);

  // The log's own epoch, as the engine announces it with the schema:
  testing::RecordingHandler schema_reader;
  ASSERT_TRUE(OpenEngine(Options())->Bootstrap(schema_reader).ok());
  ASSERT_FALSE(schema_reader.schemas().empty());
  const std::string epoch = schema_reader.schemas().front().log_epoch;
  EXPECT_EQ(epoch.size(), 32u) << epoch;
  SinkPosition own = Kept(40);
  own.log_epoch = epoch;
  PositionKeepingSink sink(own);
  ASSERT_TRUE(OpenEngine(Options())->DrainOnce(sink).ok());
  EXPECT_EQ(Ids(sink.stored()), Range(41, 50));
}

TEST_F(SinkPositionTest, ASinkWithAnUnfinishedSnapshotGetsNoChangesUntilABootstrapCompletes) {
  InsertItems(0, 30);
  PositionKeepingSink sink(Kept(10, SinkPosition::Snapshot::kUnfinished));
  auto engine = OpenEngine(Options());
  const Status refused = engine->DrainOnce(sink);
  EXPECT_EQ(refused.code(), Status::Code::kInvalidArgument) << refused.ToString();
  EXPECT_NE(refused.message().find("unfinished snapshot"), std::string::npos) << refused.message();
  EXPECT_TRUE(sink.stored().empty());

  ASSERT_TRUE(engine->BootstrapThenDrain(sink).ok());
  const Changes stored = sink.stored();
  ASSERT_EQ(stored.size(), 30u) << "the snapshot holds every logged row, and no change is delivered after it";
  for (const Change& change : stored) EXPECT_TRUE(change.bootstrap);
  EXPECT_EQ(Backlog(), 0);
}

TEST_F(SinkPositionTest, ABootstrapIntoASinkThatHoldsACompleteSnapshotIsSkippedAndDeliveryResumes) {
  InsertItems(0, 30);
  PositionKeepingSink sink(Kept(30, SinkPosition::Snapshot::kComplete));
  InsertItems(30, 5);
  ASSERT_TRUE(OpenEngine(Options())->BootstrapThenDrain(sink).ok());
  EXPECT_EQ(Ids(sink.stored()), Range(31, 35)) << "no second snapshot, only what follows the position";
}

TEST_F(SinkPositionTest, AForcedBootstrapTakesANewSnapshotIntoASinkThatHoldsOne) {
  InsertItems(0, 30);
  PositionKeepingSink sink(Kept(30, SinkPosition::Snapshot::kComplete));
  EngineOptions options = Options();
  options.force_bootstrap = true;
  ASSERT_TRUE(OpenEngine(options)->BootstrapThenDrain(sink).ok());
  const Changes stored = sink.stored();
  ASSERT_EQ(stored.size(), 30u);
  for (const Change& change : stored) EXPECT_TRUE(change.bootstrap);
}

TEST_F(SinkPositionTest, ASnapshotIntoASinkThatKeepsAPositionCoversEveryWatchedTable) {
  InsertItems(0, 5);
  app_.Exec("INSERT INTO other VALUES ('a')");
  EngineOptions options = Options();
  options.capture.tables = {"items"};
  PositionKeepingSink sink;
  const Status status = OpenEngine(options)->BootstrapThenDrain(sink);
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument) << status.ToString();
  EXPECT_NE(status.message().find("every watched table"), std::string::npos) << status.message();
  EXPECT_TRUE(sink.stored().empty());
  EXPECT_EQ(Backlog(), 6);
}

TEST_F(SinkPositionTest, AfterABootstrapTheSinksPositionIsTheSnapshotsAndTheNextRunResumesThere) {
  InsertItems(0, 20);
  PositionKeepingSink sink;
  ASSERT_TRUE(OpenEngine(Options())->Bootstrap(sink).ok());
  EXPECT_EQ(Backlog(), 20) << "a bootstrap alone leaves the log as it is";
  InsertItems(20, 3);
  ASSERT_TRUE(OpenEngine(Options())->DrainOnce(sink).ok());
  const Changes stored = sink.stored();
  ASSERT_EQ(stored.size(), 23u);
  EXPECT_EQ(Ids(Changes(stored.begin() + 20, stored.end())), Range(21, 23));
  EXPECT_EQ(Backlog(), 0);
}

TEST_F(SinkPositionTest, WhatAFailedCallLeftUnconfirmedIsDeliveredByTheNextCallOfTheSameEngine) {
  InsertItems(0, 64);
  auto engine = OpenEngine(Options());
  PositionKeepingSink failing(SinkPosition{});
  failing.fail_after_changes = 32;
  EXPECT_EQ(engine->DrainOnce(failing).code(), Status::Code::kHandlerFailed);
  EXPECT_EQ(Ids(failing.stored()), Range(1, 32));
  PositionKeepingSink next(SinkPosition{});
  ASSERT_TRUE(engine->DrainOnce(next).ok());
  EXPECT_EQ(Ids(next.stored()), Range(33, 64)) << "the refused batch is not skipped";
  EXPECT_EQ(Backlog(), 0);
}

}  // namespace
}  // namespace sqlite_cdc
