// The engine with a handler that confirms batches later (PipelinedHandler): how far it reads
// ahead, what leaves the log, and what is sent again after a failure or a stop.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "sqlite_cdc/engine.h"
#include "sqlite_cdc/pipelined_handler.h"
#include "support/app_db.h"
#include "support/captured_db.h"
#include "support/engine_db_test.h"
#include "support/process.h"

namespace sqlite_cdc {
namespace {

using std::chrono::milliseconds;
using testing::AppDb;

// A destination that stores what it is sent only when it chooses: once `hold` batches are in
// flight, or when the engine asks for a flush. It can fail one sent batch when it comes to store it,
// and stop confirming altogether after `confirm_at_most` batches. Thread-safe for reading.
class ScriptedPipeline : public PipelinedHandler {
 public:
  size_t hold = 1;
  int fail_send_number = -1;  // the n-th Send (from 0) fails when its turn to be stored comes
  size_t confirm_at_most = SIZE_MAX;
  HandlerResult failure = HandlerResult::Retry("destination unavailable");

  HandlerResult Send(const Changes& batch) override {
    std::lock_guard lock(mutex_);
    in_flight_.push_back({sends_.size(), batch});
    sends_.push_back(batch);
    max_in_flight_batches_ = std::max(max_in_flight_batches_, in_flight_.size());
    size_t changes = 0;
    for (const auto& sent : in_flight_) changes += sent.batch.size();
    max_in_flight_changes_ = std::max(max_in_flight_changes_, changes);
    return HandlerResult::Success();
  }

  Confirmations Poll(milliseconds wait, bool flush) override {
    std::unique_lock lock(mutex_);
    Confirmations confirmations;
    if (in_flight_.empty() || (!flush && in_flight_.size() < hold) || stored_.size() >= confirm_at_most) {
      lock.unlock();
      std::this_thread::sleep_for(std::min(wait, milliseconds(5)));
      return confirmations;
    }
    while (!in_flight_.empty() && stored_.size() < confirm_at_most) {
      if (static_cast<int>(in_flight_.front().number) == fail_send_number) {
        fail_send_number = -1;
        in_flight_.clear();
        ++failures_;
        confirmations.failure = failure;
        return confirmations;
      }
      stored_.push_back(std::move(in_flight_.front().batch));
      in_flight_.pop_front();
      ++confirmations.batches;
    }
    return confirmations;
  }

  std::vector<Changes> sends() const {
    std::lock_guard lock(mutex_);
    return sends_;
  }
  // What the destination holds, in the order it stored it.
  Changes stored() const {
    std::lock_guard lock(mutex_);
    Changes all;
    for (const Changes& batch : stored_) all.insert(all.end(), batch.begin(), batch.end());
    return all;
  }
  size_t max_in_flight_batches() const {
    std::lock_guard lock(mutex_);
    return max_in_flight_batches_;
  }
  size_t max_in_flight_changes() const {
    std::lock_guard lock(mutex_);
    return max_in_flight_changes_;
  }
  int failures() const {
    std::lock_guard lock(mutex_);
    return failures_;
  }

 private:
  struct Sent {
    size_t number;
    Changes batch;
  };
  mutable std::mutex mutex_;
  std::vector<Changes> sends_;
  std::deque<Sent> in_flight_;
  std::vector<Changes> stored_;
  size_t max_in_flight_batches_ = 0;
  size_t max_in_flight_changes_ = 0;
  int failures_ = 0;
};

std::vector<int64_t> Ids(const Changes& changes) {
  std::vector<int64_t> ids;
  for (const Change& change : changes) ids.push_back(change.id);
  return ids;
}

class PipelinedDeliveryTest : public testing::EngineDbTest {
 protected:
  PipelinedDeliveryTest() { SetUpCapture(); }

  EngineOptions Options() const {
    EngineOptions options = EngineDbTest::Options();
    options.batch_size = 64;
    return options;
  }

  std::vector<int64_t> LoggedIds() const {
    std::vector<int64_t> ids;
    for (int64_t id = 1; id <= 1000; ++id) ids.push_back(id);
    return ids;
  }
};

TEST_F(PipelinedDeliveryTest, ReadsAheadWhileEarlierBatchesAreUnconfirmedAndDeliversEverythingInOrder) {
  InsertItems(0, 1000);
  auto engine = OpenEngine(Options());
  ScriptedPipeline handler;
  handler.hold = 8;
  ASSERT_TRUE(engine->DrainOnce(handler).ok());
  EXPECT_GE(handler.max_in_flight_batches(), 8u) << "the engine waited for each batch before reading the next";
  EXPECT_EQ(Ids(handler.stored()), LoggedIds());
  EXPECT_EQ(handler.sends().size(), 16u) << "each batch sent once: ceil(1000 / 64)";
  EXPECT_EQ(Backlog(), 0);
}

TEST_F(PipelinedDeliveryTest, WhatIsInFlightStaysWithinTheBoundOnChanges) {
  InsertItems(0, 1000);
  EngineOptions options = Options();
  options.pipeline.max_changes = 200;
  auto engine = OpenEngine(options);
  ScriptedPipeline handler;
  handler.hold = 100;  // never reached: only the engine's bound stops the reading ahead
  ASSERT_TRUE(engine->DrainOnce(handler).ok());
  // Another batch is let in while fewer than 200 are in flight: 4 batches of 64.
  EXPECT_EQ(handler.max_in_flight_changes(), 256u);
  EXPECT_EQ(Ids(handler.stored()), LoggedIds());
}

TEST_F(PipelinedDeliveryTest, WhatIsInFlightStaysWithinTheBoundOnBytes) {
  InsertItems(0, 1000);
  EngineOptions options = Options();
  options.pipeline.max_bytes = 1;  // one batch at a time, whatever its size
  auto engine = OpenEngine(options);
  ScriptedPipeline handler;
  handler.hold = 100;
  ASSERT_TRUE(engine->DrainOnce(handler).ok());
  EXPECT_EQ(handler.max_in_flight_batches(), 1u);
  EXPECT_EQ(Ids(handler.stored()), LoggedIds());
}

TEST_F(PipelinedDeliveryTest, AFailureInTheMiddleOfAWindowSendsAgainFromTheFirstUnconfirmedBatchInOrder) {
  InsertItems(0, 1000);
  auto engine = OpenEngine(Options());
  ScriptedPipeline handler;
  handler.hold = 6;
  handler.fail_send_number = 3;  // the fourth batch: three before it are stored, the rest were in flight
  ASSERT_TRUE(engine->DrainOnce(handler).ok());
  EXPECT_EQ(handler.failures(), 1);
  const std::vector<Changes> sends = handler.sends();
  ASSERT_GT(sends.size(), 16u);
  // After the failure, sending starts again at the failed batch, and goes on in log order.
  size_t again = 4;
  while (again < sends.size() && sends[again].front().id != sends[3].front().id) ++again;
  ASSERT_LT(again, sends.size()) << "the failed batch was never sent again";
  EXPECT_EQ(Ids(sends[again]), Ids(sends[3])) << "the same batch";
  Changes from_the_failure;
  for (size_t i = again; i < sends.size(); ++i)
    from_the_failure.insert(from_the_failure.end(), sends[i].begin(), sends[i].end());
  std::vector<int64_t> expected;
  for (int64_t id = sends[3].front().id; id <= 1000; ++id) expected.push_back(id);
  EXPECT_EQ(Ids(from_the_failure), expected);
  EXPECT_EQ(Ids(handler.stored()), LoggedIds()) << "nothing lost, nothing stored twice, in log order";
  EXPECT_EQ(Backlog(), 0);
}

TEST_F(PipelinedDeliveryTest, AFatalFailureStopsWithEverythingUnconfirmedInTheLog) {
  InsertItems(0, 1000);
  auto engine = OpenEngine(Options());
  ScriptedPipeline handler;
  handler.hold = 4;
  handler.fail_send_number = 2;
  handler.failure = HandlerResult::Fatal("destination refused");
  const Status status = engine->DrainOnce(handler);
  EXPECT_EQ(status.code(), Status::Code::kHandlerFailed) << status.ToString();
  EXPECT_NE(status.message().find("destination refused"), std::string::npos) << status.message();
  EXPECT_EQ(handler.stored().size(), 128u);
  EXPECT_EQ(Backlog(), 1000 - 128) << "only the confirmed prefix leaves the log";
}

TEST_F(PipelinedDeliveryTest, OnlyTheConfirmedPrefixLeavesTheLogWhenAStopComesWithBatchesInFlight) {
  InsertItems(0, 1000);
  EngineOptions options = Options();
  options.pipeline.stop_grace = milliseconds(100);
  auto engine = OpenEngine(options);
  ScriptedPipeline handler;
  handler.hold = 4;
  handler.confirm_at_most = 3;  // then the destination hangs
  std::thread runner([&] { EXPECT_TRUE(engine->RunCdc(handler).ok()); });
  ASSERT_TRUE(testing::WaitUntil([&] { return handler.sends().size() >= 5; }));
  engine->Stop();
  runner.join();
  EXPECT_EQ(handler.stored().size(), 3u * 64);
  EXPECT_EQ(Backlog(), 1000 - 3 * 64);
  engine.reset();
  // The next engine starts with the first unconfirmed change.
  auto next = OpenEngine(Options());
  ScriptedPipeline again;
  ASSERT_TRUE(next->DrainOnce(again).ok());
  ASSERT_FALSE(again.stored().empty());
  EXPECT_EQ(again.stored().front().id, 3 * 64 + 1);
  EXPECT_EQ(Backlog(), 0);
}

TEST_F(PipelinedDeliveryTest, AStopWaitsForWhatIsInFlightSoThatItLeavesTheLog) {
  auto engine = OpenEngine(Options());
  ScriptedPipeline handler;
  handler.hold = 1000;  // stores only when asked to flush
  std::thread runner([&] { EXPECT_TRUE(engine->RunCdc(handler).ok()); });
  InsertItems(0, 100);
  ASSERT_TRUE(testing::WaitUntil([&] { return handler.sends().size() == 2; }));
  EXPECT_TRUE(handler.stored().empty()) << "streaming does not force a flush";
  engine->Stop();
  runner.join();
  EXPECT_EQ(handler.stored().size(), 100u);
  EXPECT_EQ(Backlog(), 0);
}

TEST_F(PipelinedDeliveryTest, WhileStreamingBatchesAreConfirmedWhenTheHandlerChooses) {
  auto engine = OpenEngine(Options());
  ScriptedPipeline handler;
  handler.hold = 3;
  std::thread runner([&] { EXPECT_TRUE(engine->RunCdc(handler).ok()); });
  for (int i = 0; i < 3; ++i) {
    InsertItems(i * 10, 10);
    ASSERT_TRUE(testing::WaitUntil([&] { return handler.sends().size() == static_cast<size_t>(i + 1); }));
  }
  // The third commit completes the handler's group, with no flush and no further write.
  ASSERT_TRUE(testing::WaitUntil([&] { return handler.stored().size() == 30; }));
  ASSERT_TRUE(testing::WaitUntil([&] { return Backlog() == 0; }));
  engine->Stop();
  runner.join();
}

TEST_F(PipelinedDeliveryTest, WhileStreamingAFailedWindowIsSentAgainWithoutWaitingForAWrite) {
  EngineOptions options = Options();
  options.poll_interval = std::chrono::hours(1);  // only file events and the engine's own timers wake it
  auto engine = OpenEngine(options);
  ScriptedPipeline handler;
  handler.hold = 2;
  handler.fail_send_number = 0;
  std::thread runner([&] { EXPECT_TRUE(engine->RunCdc(handler).ok()); });
  InsertItems(0, 10);
  ASSERT_TRUE(testing::WaitUntil([&] { return handler.sends().size() == 1; }));
  InsertItems(10, 10);
  ASSERT_TRUE(testing::WaitUntil([&] { return handler.stored().size() == 20; }, 10));
  EXPECT_EQ(handler.failures(), 1);
  EXPECT_EQ(handler.sends().size(), 4u) << "two batches, each sent twice";
  engine->Stop();
  runner.join();
  EXPECT_EQ(Backlog(), 0);
}

// A plain handler under --ack-interval 0ms: each accepted batch leaves the log before the next is
// handed over, so a crash re-delivers at most the batch in flight.
TEST_F(PipelinedDeliveryTest, WithoutGroupingEachAcceptedBatchLeavesTheLogBeforeTheNext) {
  InsertItems(0, 1000);
  EngineOptions options = Options();
  options.ack_interval = milliseconds(0);
  auto engine = OpenEngine(options);
  struct BacklogAtEachBatch : ChangesHandler {
    HandlerResult Handle(const Changes&) override {
      seen.push_back(backlog());
      return HandlerResult::Success();
    }
    std::function<long long()> backlog;
    std::vector<long long> seen;
  } handler;
  handler.backlog = [this] { return Backlog(); };
  ASSERT_TRUE(engine->DrainOnce(handler).ok());
  ASSERT_EQ(handler.seen.size(), 16u);
  for (size_t i = 0; i < handler.seen.size(); ++i) EXPECT_EQ(handler.seen[i], 1000 - 64 * static_cast<long long>(i));
}

// The bootstrap is pipelined too; what the snapshot holds of the log is not delivered after it.
TEST_F(PipelinedDeliveryTest, ABootstrapIsSentAheadOfItsConfirmationsAndItsLogIsNotRepeated) {
  InsertItems(0, 1000);
  auto engine = OpenEngine(Options());
  app_.Exec("UPDATE items SET note = 'y' WHERE id < 100");
  ScriptedPipeline handler;
  handler.hold = 8;
  handler.fail_send_number = 5;
  ASSERT_TRUE(engine->BootstrapThenDrain(handler).ok());
  EXPECT_GE(handler.max_in_flight_batches(), 8u);
  EXPECT_EQ(handler.failures(), 1);
  const Changes stored = handler.stored();
  ASSERT_EQ(stored.size(), 1000u) << "each row once, the failed part of the window sent again";
  for (size_t i = 0; i < stored.size(); ++i) {
    EXPECT_TRUE(stored[i].bootstrap);
    EXPECT_EQ(stored[i].key, "{\"id\":" + std::to_string(i) + "}");
  }
  EXPECT_EQ(Backlog(), 0) << "the log up to the snapshot is in it";
}

}  // namespace
}  // namespace sqlite_cdc
