// sqlite-cdc-restore choosing its archive reader by the --from value, as a user meets it.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "support/process.h"
#include "support/temp_dir.h"

namespace sqlite_cdc {
namespace {

TEST(RestoreCliTest, AnArchiveOfAnUnknownKindIsExit2NamingItWithoutItsSecret) {
  testing::TempDir dir;
  const std::string to = dir.File("new.db");
  const auto result = testing::RunProcess(testing::BinaryPath("sqlite-cdc-restore"),
                                          {"--from", "file://reader:hunter2@backups/app", "--to", to});
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_NE(result.err.find("unsupported --from 'file://***@backups/app'"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("s3://"), std::string::npos) << "names what is supported: " << result.err;
  EXPECT_EQ(result.err.find("hunter2"), std::string::npos) << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  EXPECT_FALSE(std::filesystem::exists(to));
}

}  // namespace
}  // namespace sqlite_cdc
