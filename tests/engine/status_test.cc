// Status as a program using the library reads it: a code to act on, a message for a person.
#include "sqlite_cdc/status.h"

#include <gtest/gtest.h>

namespace sqlite_cdc {
namespace {

TEST(StatusTest, ToStringNamesTheKindThenTheMessage) {
  EXPECT_EQ(Status::Ok().ToString(), "OK");
  EXPECT_EQ(Status::InvalidArgument("batch_size must be at least 1").ToString(),
            "invalid argument: batch_size must be at least 1");
  EXPECT_EQ(Status::NotFound("no such table: t").ToString(), "not found: no such table: t");
  EXPECT_EQ(Status::Corruption("log id 7 is damaged").ToString(), "corruption: log id 7 is damaged");
  EXPECT_EQ(Status::Unavailable("step: database is locked").ToString(), "unavailable: step: database is locked");
  EXPECT_EQ(Status::Cancelled("stopped").ToString(), "cancelled: stopped");
  EXPECT_EQ(Status::DatabaseError("step: disk I/O error").ToString(), "database error: step: disk I/O error");
  EXPECT_EQ(Status::HandlerFailed("400").ToString(), "handler failed: 400");
}

TEST(StatusTest, OnlyOkIsOk) {
  EXPECT_TRUE(Status().ok());
  EXPECT_FALSE(Status::Cancelled("stopped").ok()) << "a call cut short did not succeed";
  EXPECT_EQ(Status::Cancelled("stopped").code(), Status::Code::kCancelled);
}

TEST(StatusTest, ContextGoesInFrontAndKeepsTheCode) {
  const Status status = Status::Unavailable("step: database is locked").WithContext("acknowledge log ids 1..256");
  EXPECT_EQ(status.code(), Status::Code::kUnavailable);
  EXPECT_EQ(status.message(), "acknowledge log ids 1..256: step: database is locked");
  EXPECT_TRUE(Status::Ok().WithContext("anything").ok());
  EXPECT_EQ(Status::Ok().WithContext("anything").message(), "");
}

}  // namespace
}  // namespace sqlite_cdc
