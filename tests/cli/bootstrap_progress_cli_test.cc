// `sqlite-cdc --bootstrap` shows progress to a person at a terminal, and writes none of it into a
// log file or a pipe.
#include <gtest/gtest.h>

#include "support/app_db.h"
#include "support/captured_db.h"
#include "support/process.h"

namespace sqlite_cdc {
namespace {

using testing::BinaryPath;
using testing::ReadFile;

class BootstrapProgressCliTest : public testing::CapturedDbTest {
 protected:
  BootstrapProgressCliTest() : CapturedDbTest("CREATE TABLE items (id INTEGER PRIMARY KEY, note TEXT)") {
    testing::AppDb(path_).Exec(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) "
        "INSERT INTO items SELECT i, 'row ' || i FROM n");
    SetUpCapture();
  }

  std::vector<std::string> BootstrapArgs() { return {"--db", path_, "--bootstrap", "--output", "json"}; }
};

TEST_F(BootstrapProgressCliTest, ATerminalSeesEachTablesRowsCounted) {
  const testing::ProcessResult result = testing::RunWithTerminalStderr(BinaryPath("sqlite-cdc"), BootstrapArgs());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(std::count(result.out.begin(), result.out.end(), '\n'), 20000) << "events still go to stdout";
  EXPECT_NE(result.err.find("\rbootstrap items: snapshot 0/20000 rows (0%)"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("\rbootstrap items: snapshot 20000/20000 rows (100%), "), std::string::npos) << result.err;
}

TEST_F(BootstrapProgressCliTest, AFileGetsTheLogsButNoProgress) {
  const std::string err = dir_.File("err.log");
  testing::BackgroundProcess cdc(BinaryPath("sqlite-cdc"), BootstrapArgs(), dir_.File("out.ndjson"), err);
  ASSERT_EQ(cdc.Wait(), 0) << ReadFile(err);
  EXPECT_NE(ReadFile(err).find("bootstrap: 20000 rows from 1 tables"), std::string::npos) << ReadFile(err);
  EXPECT_EQ(ReadFile(err).find("bootstrap items"), std::string::npos) << ReadFile(err);
  EXPECT_EQ(ReadFile(err).find('\r'), std::string::npos) << ReadFile(err);
}

}  // namespace
}  // namespace sqlite_cdc
