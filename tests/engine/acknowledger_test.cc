#include "acknowledger.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "support/engine_db_test.h"
#include "support/fake_env.h"

namespace sqlite_cdc::internal {
namespace {

using std::chrono::milliseconds;

// Simulated time that also moves by a millisecond at every reading, so that each deletion seems to
// hold the write lock for one millisecond (its start and its end are two readings).
class SteppingEnv : public testing::FakeEnv {
 public:
  Clock::time_point Now() override {
    const Clock::time_point now = FakeEnv::Now();
    Advance(milliseconds(1));
    return now;
  }
  void Advance(milliseconds by) {
    std::condition_variable unused;
    std::unique_lock<std::mutex> lock;
    TimedWait(unused, lock, by);
  }
};

class AcknowledgerTest : public testing::EngineDbTest {
 protected:
  void SetUp() override {
    SetUpCapture();
    InsertItems(0, 2500);  // log ids 1..2500
    db_ = std::make_unique<Database>(Database::OpenExisting(path_));
    reader_ = std::make_unique<LogReader>(*db_, schema::LogTableNames::For("__cdc_log"), "", InfoLog(nullptr));
  }

  Acknowledger MakeAcknowledger(const DeletionPacing& pacing) {
    return Acknowledger(*reader_, 0, pacing, nullptr, &env_, InfoLog(nullptr));
  }

  // At most 1,000 changes a deletion, the lock held at most 1% of the time.
  static DeletionPacing Pacing(int64_t catch_up_ids = 1'000'000) {
    return {.interval = milliseconds(0), .max_rows = 1000, .lock_share = 0.01, .catch_up_ids = catch_up_ids};
  }

  std::unique_ptr<Database> db_;  // the log exists once SetUp ran
  std::unique_ptr<LogReader> reader_;
  SteppingEnv env_;
};

// A deletion is one write transaction of at most max_rows changes; after it the lock is left free 99
// times as long as it was held (a share of 1%), and then the next one goes on.
TEST_F(AcknowledgerTest, DeletesAtMostMaxRowsAtATimeAndLeavesTheLockFreeBetween) {
  Acknowledger ack = MakeAcknowledger(Pacing());
  ack.Delivered(2500, 2500);
  EXPECT_FALSE(ack.MaybeFlush(false));
  EXPECT_EQ(Backlog(), 1500);
  EXPECT_FALSE(ack.MaybeFlush(false)) << "paced: too soon for the next";
  EXPECT_EQ(Backlog(), 1500);
  const milliseconds pause = ack.TimeUntilDue();
  EXPECT_GE(pause, milliseconds(95));  // 99 ms from the deletion's end, less this test's readings
  EXPECT_LE(pause, milliseconds(99));
  env_.Advance(pause);
  EXPECT_FALSE(ack.MaybeFlush(false));
  EXPECT_EQ(Backlog(), 500);
  env_.Advance(ack.TimeUntilDue());
  EXPECT_TRUE(ack.MaybeFlush(false)) << "nothing delivered is left";
  EXPECT_EQ(Backlog(), 0);
  EXPECT_EQ(ack.TimeUntilDue(), milliseconds::max());
}

// More delivered and waiting than the catch-up bound: the lock is left free only as long as it was
// held, so that deletion keeps up with an application that writes faster than a 1% share deletes.
// Here one call deletes 1,000 (1,500 left, above the bound), at once 1,000 more (500 left: below
// it), and then waits at 1% again.
TEST_F(AcknowledgerTest, AboveTheCatchUpBoundTheLockIsHeldHalfTheTime) {
  Acknowledger ack = MakeAcknowledger(Pacing(/*catch_up_ids=*/1000));
  ack.Delivered(2500, 2500);
  ack.MaybeFlush(false);
  EXPECT_EQ(Backlog(), 500);
  EXPECT_GE(ack.TimeUntilDue(), milliseconds(95)) << "500 waiting: back to 1%";
}

// Before the engine returns everything delivered goes, at half the time: a pause the 1% share set
// is not waited out first (a stop would take 100 times the last deletion's hold).
TEST_F(AcknowledgerTest, BeforeExitEverythingDeliveredGoesWithoutWaitingOutTheOnePercentPause) {
  Acknowledger ack = MakeAcknowledger(Pacing());
  ack.Delivered(2500, 2500);
  ack.MaybeFlush(false);
  ASSERT_GE(ack.TimeUntilDue(), milliseconds(95)) << "paced at 1%";
  EXPECT_LE(ack.TimeUntilDue(/*force=*/true), milliseconds(1)) << "at half the time";
  const size_t waits_before = env_.waits().size();
  ack.FlushBeforeExit();
  EXPECT_EQ(Backlog(), 0);
  EXPECT_FALSE(ack.pending());
  for (size_t i = waits_before; i < env_.waits().size(); ++i) {
    EXPECT_LE(env_.waits()[i], milliseconds(2)) << "wait " << i - waits_before;
  }
}

// --ack-interval 0ms (a share of 1): each call deletes everything delivered, in transactions of at
// most max_rows, so a crash re-delivers no more than the batch in flight.
TEST_F(AcknowledgerTest, UnpacedOneCallDeletesEverythingDelivered) {
  DeletionPacing pacing = Pacing();
  pacing.lock_share = 1.0;
  Acknowledger ack = MakeAcknowledger(pacing);
  ack.Delivered(2500, 2500);
  EXPECT_TRUE(ack.MaybeFlush(false));
  EXPECT_EQ(Backlog(), 0);
}

// The time a deletion waited for the application's write lock is not counted as time it held the
// lock: the pause after it is a hundred times the hold, not a hundred times the wait.
TEST_F(AcknowledgerTest, WaitingForTheApplicationsLockIsNotCountedAsHoldingIt) {
  Acknowledger ack(*reader_, 0, Pacing(), nullptr, Env::Default(), InfoLog(nullptr));
  ack.Delivered(2500, 2500);
  std::promise<void> locked;
  std::thread application([&] {
    testing::AppDb app(path_);
    app.Exec("BEGIN IMMEDIATE");
    locked.set_value();
    std::this_thread::sleep_for(milliseconds(300));
    app.Exec("COMMIT");
  });
  locked.get_future().wait();
  ack.MaybeFlush(false);  // waits ~300 ms in SQLite's busy handler, then deletes 1,000
  application.join();
  EXPECT_EQ(Backlog(), 1500);
  EXPECT_LT(ack.TimeUntilDue(), milliseconds(5000)) << "300 ms of waiting would have made it 30 s";
}

// Acknowledging what a sink already holds may cover ids the log never held (a gap): the bound is
// on changes, so a deletion goes as far as its max_rows-th change, wherever that is.
TEST_F(AcknowledgerTest, TheBoundCountsChangesNotIds) {
  db_->Execute("DELETE FROM __cdc_log WHERE id BETWEEN 2 AND 1800");  // left: 1, 1801..2500
  Acknowledger ack = MakeAcknowledger(Pacing());
  ack.Delivered(2500, 701);
  ack.MaybeFlush(false);
  EXPECT_EQ(db_->QueryInt("SELECT count(*) FROM __cdc_log"), 1) << "701 changes: one deletion; the highest stays";
  EXPECT_FALSE(ack.pending());
}

}  // namespace
}  // namespace sqlite_cdc::internal
