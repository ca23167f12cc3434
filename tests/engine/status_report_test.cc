// ReadCaptureStatus through the public API, with the clock it measures ages from given.
#include "sqlite_cdc/status_report.h"

#include <gtest/gtest.h>

#include "database.h"
#include "log_size.h"
#include "sqlite_cdc/restore.h"
#include "sqlite_cdc/setup.h"
#include "support/app_db.h"
#include "support/temp_dir.h"

namespace sqlite_cdc {
namespace {

class StatusReportTest : public ::testing::Test {
 protected:
  StatusReportTest() : path_(dir_.File("app.db")), app_(path_) {
    app_.Exec("CREATE TABLE items (id INTEGER PRIMARY KEY, n INTEGER, note TEXT)");
    options_.db_path = path_;
    EXPECT_TRUE(sqlite_cdc::Setup(options_).ok());
  }

  CaptureStatus Read(std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) {
    CaptureStatus status;
    const Status read = ReadCaptureStatus(options_, &status, now);
    EXPECT_TRUE(read.ok()) << read.message();
    return status;
  }

  testing::TempDir dir_;
  std::string path_;
  testing::AppDb app_;
  CaptureOptions options_;
};

TEST_F(StatusReportTest, TheAgeIsNowMinusTheOldestChangesTimestamp) {
  app_.Exec("INSERT INTO items VALUES (1, 1, 'a'), (2, 2, 'b')");
  app_.Exec("UPDATE __cdc_log SET timestamp = '2026-11-22T10:00:00.250Z' WHERE id = 1");
  const auto at =
      std::chrono::system_clock::time_point(std::chrono::milliseconds(*ParseRfc3339Millis("2026-11-22T10:01:30.750Z")));

  const CaptureStatus status = Read(at);
  EXPECT_EQ(status.backlog, 2);
  EXPECT_EQ(status.oldest_id, 1);
  EXPECT_EQ(status.oldest_timestamp, "2026-11-22T10:00:00.250Z");
  EXPECT_EQ(status.oldest_age_seconds, 90.5);
}

TEST_F(StatusReportTest, WholeSecondTimestampsHaveAnAgeToo) {
  options_.subsecond = false;
  ASSERT_TRUE(sqlite_cdc::Setup(options_).ok());
  app_.Exec("INSERT INTO items VALUES (1, 1, 'a')");
  const CaptureStatus status = Read();
  ASSERT_TRUE(status.oldest_timestamp.has_value());
  EXPECT_EQ(status.oldest_timestamp->size(), std::string("2026-11-22T10:00:00Z").size());
  ASSERT_TRUE(status.oldest_age_seconds.has_value());
  EXPECT_GE(*status.oldest_age_seconds, 0);
  EXPECT_LT(*status.oldest_age_seconds, 30);
  EXPECT_TRUE(status.tables.at(0).triggers_match) << "judged with whole-second timestamps, as set up";
}

TEST_F(StatusReportTest, TheLogSizeGrowsWithTheBacklogAndTheEstimateIsClose) {
  const int64_t empty = Read().log_bytes;
  app_.Exec("BEGIN");
  for (int i = 0; i < 2000; ++i) {
    app_.Exec("INSERT INTO items VALUES (" + std::to_string(i) + ", " + std::to_string(i) + ", 'some text here')");
  }
  app_.Exec("COMMIT");
  const CaptureStatus status = Read();
  EXPECT_TRUE(status.log_bytes_exact);
  EXPECT_GT(status.log_bytes, empty + 2000 * 100) << "each row holds ~150 bytes of JSON";
  EXPECT_EQ(status.log_bytes % 4096, 0) << "whole pages";

  // Where SQLite has no dbstat, the rows' sizes stand in: below the pages, not far.
  auto db = internal::Database::OpenReadOnly(path_);
  const int64_t estimate = internal::EstimateLogBytes(db, schema::LogTableNames::For("__cdc_log"));
  EXPECT_LE(estimate, status.log_bytes);
  EXPECT_GT(estimate, status.log_bytes / 2);
}

TEST_F(StatusReportTest, ADatabaseWithoutThisLogIsNotFound) {
  options_.log_table = "other_log";
  CaptureStatus status;
  const Status read = ReadCaptureStatus(options_, &status);
  EXPECT_EQ(read.code(), Status::Code::kNotFound);
  EXPECT_EQ(read.message(), "no change log other_log in " + path_ + "; run sqlite-cdc-setup --setup first");
}

}  // namespace
}  // namespace sqlite_cdc
