#include "support/captured_db.h"

#include "sqlite_cdc/setup.h"
#include "support/app_db.h"
#include "support/mixed_tables.h"

namespace sqlite_cdc::testing {

CapturedDbTest::CapturedDbTest(const std::string& schema)
    : path_(dir_.File("app.db")), out_(dir_.File("out.txt")), err_(dir_.File("err.txt")) {
  AppDb(path_).Exec(schema);
}

void CapturedDbTest::SetUpCapture(bool blobs) {
  CaptureOptions capture;
  capture.db_path = path_;
  capture.blobs = blobs;
  const Status status = sqlite_cdc::Setup(capture);
  ASSERT_TRUE(status.ok()) << status.message();
}

long long CapturedDbTest::Backlog() const {
  AppDb app(path_);
  return testing::Backlog(app);
}

std::unique_ptr<BackgroundProcess> CapturedDbTest::StartCdcProcess(std::vector<std::string> args,
                                                                   const std::vector<std::string>& extra) const {
  args.insert(args.begin(), {"--db", path_});
  args.insert(args.end(), extra.begin(), extra.end());
  return std::make_unique<BackgroundProcess>(BinaryPath("sqlite-cdc"), args, out_, err_);
}

std::string WriterPath() { return std::string(CDC_TEST_BIN_DIR) + "/cdc_test_writer"; }
std::string MixedWriterPath() { return std::string(CDC_TEST_BIN_DIR) + "/cdc_test_mixed_writer"; }

}  // namespace sqlite_cdc::testing
