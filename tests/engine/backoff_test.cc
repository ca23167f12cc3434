#include "backoff.h"

#include <gtest/gtest.h>

#include <set>

namespace sqlite_cdc::internal {
namespace {

using std::chrono::milliseconds;

TEST(BackoffTest, DoublesWithEqualJitterUpToTheMaximum) {
  Backoff backoff(milliseconds(100), milliseconds(1000), 42);
  for (int round = 0; round < 50; ++round) {
    const auto first = backoff.Delay(1);
    EXPECT_GE(first, milliseconds(50));
    EXPECT_LE(first, milliseconds(100));
    const auto third = backoff.Delay(3);
    EXPECT_GE(third, milliseconds(200));
    EXPECT_LE(third, milliseconds(400));
    const auto late = backoff.Delay(40);
    EXPECT_GE(late, milliseconds(500));
    EXPECT_LE(late, milliseconds(1000));
  }
}

TEST(BackoffTest, EqualJitterSpreadsTheDelays) {
  Backoff backoff(milliseconds(1000), milliseconds(1000), 7);
  std::set<int64_t> seen;
  for (int i = 0; i < 20; ++i) seen.insert(backoff.Delay(1).count());
  EXPECT_GT(seen.size(), 5u);
}

}  // namespace
}  // namespace sqlite_cdc::internal
