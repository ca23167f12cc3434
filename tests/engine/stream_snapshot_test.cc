// Snapshots while streaming (ChangesHandler::SnapshotWanted / TakeSnapshot): the engine copies the
// watched tables as of one log position when the handler asks, hands the copy over, and the stream
// goes on undisturbed; the copy is read later, on another thread, and leaves no file behind.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>

#include "sqlite_cdc/engine.h"
#include "support/engine_db_test.h"
#include "support/process.h"

namespace sqlite_cdc {
namespace {

// Wants one snapshot once it has been handed `after` changes.
class SnapshotKeepingHandler : public ChangesHandler {
 public:
  explicit SnapshotKeepingHandler(int64_t after) : after_(after) {}

  HandlerResult Handle(const Changes& batch) override {
    std::lock_guard lock(mutex_);
    for (const Change& change : batch) {
      ids_.push_back(change.id);
      bootstrap_in_batches_ |= change.bootstrap;
    }
    return HandlerResult::Success();
  }
  bool SnapshotWanted() override {
    std::lock_guard lock(mutex_);
    ++asked_;
    return !snapshot_ && static_cast<int64_t>(ids_.size()) >= after_;
  }
  void TakeSnapshot(std::unique_ptr<StreamSnapshot> snapshot) override {
    std::lock_guard lock(mutex_);
    snapshot_ = std::move(snapshot);
  }

  std::unique_ptr<StreamSnapshot> snapshot() {
    std::lock_guard lock(mutex_);
    return std::move(snapshot_);
  }
  bool has_snapshot() {
    std::lock_guard lock(mutex_);
    return snapshot_ != nullptr;
  }
  std::vector<int64_t> ids() {
    std::lock_guard lock(mutex_);
    return ids_;
  }
  bool bootstrap_in_batches() {
    std::lock_guard lock(mutex_);
    return bootstrap_in_batches_;
  }

 private:
  std::mutex mutex_;
  int64_t after_;
  int asked_ = 0;
  std::vector<int64_t> ids_;
  bool bootstrap_in_batches_ = false;
  std::unique_ptr<StreamSnapshot> snapshot_;
};

class StreamSnapshotTest : public testing::EngineDbTest {
 protected:
  StreamSnapshotTest() {
    SetUpCapture();
    setenv("TMPDIR", dir_.File("tmp").c_str(), 1);
    std::filesystem::create_directory(dir_.File("tmp"));
  }
  ~StreamSnapshotTest() override { unsetenv("TMPDIR"); }

  size_t TemporaryFiles() {
    return static_cast<size_t>(
        std::distance(std::filesystem::directory_iterator(dir_.File("tmp")), std::filesystem::directory_iterator()));
  }
};

TEST_F(StreamSnapshotTest, TheHandlerGetsACopyAsOfOneLogPositionAndTheStreamGoesOn) {
  InsertItems(1, 10);
  auto engine = OpenEngine(Options());
  ASSERT_TRUE(engine);
  SnapshotKeepingHandler handler(/*after=*/10);
  Status status;
  std::thread run([&] { status = engine->RunCdc(handler); });
  ASSERT_TRUE(testing::WaitUntil([&] { return handler.has_snapshot(); }, 10));
  InsertItems(11, 5);
  ASSERT_TRUE(testing::WaitUntil([&] { return handler.ids().size() == 15; }, 10));
  engine->Stop();
  run.join();
  ASSERT_TRUE(status.ok()) << status.ToString();
  engine.reset();

  EXPECT_FALSE(handler.bootstrap_in_batches()) << "the snapshot's rows are not batches";
  std::vector<int64_t> expected;
  for (int64_t id = 1; id <= 15; ++id) expected.push_back(id);
  EXPECT_EQ(handler.ids(), expected) << "every change once, in order, around the snapshot";

  std::unique_ptr<StreamSnapshot> snapshot = handler.snapshot();
  EXPECT_EQ(snapshot->log_position(), 10);
  EXPECT_EQ(snapshot->rows(), 10);
  EXPECT_EQ(TemporaryFiles(), 0u) << "its file is unlinked while it is still read";
  // Read on another thread, after the engine is gone.
  std::vector<std::string> keys;
  std::thread reader([&] {
    Changes batch;
    for (;;) {
      ASSERT_TRUE(snapshot->Next(3, &batch).ok());
      if (batch.empty()) break;
      EXPECT_LE(batch.size(), 3u);
      for (const Change& change : batch) {
        EXPECT_TRUE(change.bootstrap);
        EXPECT_EQ(change.operation, Operation::kInsert);
        EXPECT_EQ(change.timestamp, snapshot->taken_at());
        keys.push_back(change.key);
      }
    }
  });
  reader.join();
  ASSERT_EQ(keys.size(), 10u) << "rows 11..15 came after its position";
  EXPECT_EQ(keys.front(), "{\"id\":1}");
  EXPECT_EQ(keys.back(), "{\"id\":10}");
}

TEST_F(StreamSnapshotTest, AHandlerThatWantsNoneGetsNoneAndNoFile) {
  InsertItems(1, 3);
  auto engine = OpenEngine(Options());
  ASSERT_TRUE(engine);
  SnapshotKeepingHandler handler(/*after=*/1000);
  ASSERT_TRUE(engine->DrainOnce(handler).ok());
  EXPECT_FALSE(handler.has_snapshot()) << "and DrainOnce never asks";
  EXPECT_EQ(TemporaryFiles(), 0u);
}

}  // namespace
}  // namespace sqlite_cdc
