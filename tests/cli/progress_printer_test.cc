// What a person at a terminal sees of a bootstrap, with the clock in the test's hands.
#include "progress_printer.h"

#include <gtest/gtest.h>
#include <stdio.h>

#include <cstdlib>

namespace sqlite_cdc::cli {
namespace {

using std::chrono::milliseconds;
using Phase = BootstrapProgress::Phase;

class ProgressPrinterTest : public ::testing::Test {
 protected:
  ProgressPrinterTest()
      : out_(open_memstream(&buffer_, &size_)),
        printer_(
            out_, [this] { return now_; }, milliseconds(250)) {}
  ~ProgressPrinterTest() override {
    std::fclose(out_);
    std::free(buffer_);
  }

  // Reports `done` of `total` rows of `table` at `at` ms, and returns what was written for it.
  std::string At(int at, const std::string& table, int64_t done, int64_t total, Phase phase = Phase::kSnapshot) {
    now_ = std::chrono::steady_clock::time_point(milliseconds(at));
    const size_t before = size_;
    printer_.Report({phase, table, done, total});
    std::fflush(out_);
    return std::string(buffer_ + before, size_ - before);
  }

  char* buffer_ = nullptr;
  size_t size_ = 0;
  std::FILE* out_;
  std::chrono::steady_clock::time_point now_;
  ProgressPrinter printer_;
};

TEST_F(ProgressPrinterTest, RewritesOneLineInPlaceAtMostEveryIntervalAndEndsItWhenDone) {
  EXPECT_EQ(At(0, "items", 0, 1000), "\rbootstrap items: snapshot 0/1000 rows (0%)\x1b[K");
  EXPECT_EQ(At(100, "items", 100, 1000), "") << "within 250 ms of the last line";
  EXPECT_EQ(At(250, "items", 250, 1000),
            "\rbootstrap items: snapshot 250/1000 rows (25%), 1000 rows/s, 0.8s left\x1b[K");
  EXPECT_EQ(At(300, "items", 300, 1000), "");
  EXPECT_EQ(At(400, "items", 1000, 1000),
            "\rbootstrap items: snapshot 1000/1000 rows (100%), 2500 rows/s, 0.4s\x1b[K\n")
      << "the end of a shown line is written at once";
}

TEST_F(ProgressPrinterTest, ATableDoneWithinTheIntervalIsNotShown) {
  At(0, "big", 0, 10);
  At(10, "big", 10, 10);
  EXPECT_EQ(At(20, "tiny", 0, 5), "");
  EXPECT_EQ(At(30, "tiny", 5, 5), "");
  EXPECT_EQ(At(300, "items", 0, 90000, Phase::kDelivery), "\rbootstrap items: delivered 0/90000 rows (0%)\x1b[K");
}

TEST_F(ProgressPrinterTest, SaysHowLongIsLeftInReadableUnits) {
  At(0, "items", 0, 10'000'000);
  EXPECT_EQ(At(60'000, "items", 100'000, 10'000'000),
            "\rbootstrap items: snapshot 100000/10000000 rows (1%), 1666 rows/s, 1h 39m left\x1b[K");
}

}  // namespace
}  // namespace sqlite_cdc::cli
