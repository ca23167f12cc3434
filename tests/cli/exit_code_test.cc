// The command line's words for the library's: exit codes and flag names.
#include "exit_code.h"

#include <gtest/gtest.h>

#include "flag_names.h"

namespace sqlite_cdc::cli {
namespace {

TEST(ExitCodeTest, BadInputIsTwoAFailureOneAndAStopZero) {
  EXPECT_EQ(ExitCode(Status::Ok()), 0);
  EXPECT_EQ(ExitCode(Status::Cancelled("stopped")), 0);
  EXPECT_EQ(ExitCode(Status::InvalidArgument("x")), 2);
  EXPECT_EQ(ExitCode(Status::NotFound("x")), 2);
  EXPECT_EQ(ExitCode(Status::Corruption("x")), 1);
  EXPECT_EQ(ExitCode(Status::Unavailable("x")), 1);
  EXPECT_EQ(ExitCode(Status::DatabaseError("x")), 1);
  EXPECT_EQ(ExitCode(Status::HandlerFailed("x")), 1);
}

TEST(FlagNamesTest, OptionNamesBecomeTheFlagsThatSetThem) {
  EXPECT_EQ(InFlagWords("batch_size must be at least 1"), "--batch-size must be at least 1");
  EXPECT_EQ(InFlagWords("retry.max_attempts must be at least 1"), "--retry-attempts must be at least 1");
  EXPECT_EQ(InFlagWords("log table users is taken by a user table; choose another log_table"),
            "log table users is taken by a user table; choose another --log-table");
  EXPECT_EQ(InFlagWords("blobs=true contradicts the capture options stored at setup (blobs off)"),
            "--blobs contradicts the capture options stored at setup (blobs off)");
}

TEST(FlagNamesTest, APartOfALongerNameOrAQuotedValueStaysAsItIs) {
  EXPECT_EQ(InFlagWords("no such table: my_log_table"), "no such table: my_log_table");
  EXPECT_EQ(InFlagWords("no such table: log_table2"), "no such table: log_table2");
  EXPECT_EQ(InFlagWords("unknown column 'batch_size'"), "unknown column 'batch_size'");
  EXPECT_EQ(InFlagWords("blobs on"), "blobs on");
}

}  // namespace
}  // namespace sqlite_cdc::cli
