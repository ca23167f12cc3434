#include "support/captured_db.h"

#include <signal.h>

#include <chrono>
#include <random>
#include <thread>

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

int CapturedDbTest::KillAtRandomMoments(const std::vector<std::string>& args, int kills, unsigned seed, int min_ms,
                                        int max_ms) const {
  std::mt19937 random(seed);
  int with_backlog = 0;
  for (int kill = 0; kill < kills; ++kill) {
    auto cdc = StartCdcProcess(args);
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(min_ms, max_ms)(random)));
    with_backlog += Backlog() > 0;
    cdc->Signal(SIGKILL);
    cdc->Wait();
  }
  return with_backlog;
}

bool CapturedDbTest::TortureReplica(const std::string& url, int changes, int kills, int min_ms) const {
  BackgroundProcess writer(MixedWriterPath(), {path_, std::to_string(changes), "1500"}, dir_.File("writer.out"),
                           dir_.File("writer.err"));
  const std::vector<std::string> flags{"--bootstrap",
                                       "--cdc",
                                       "--output",
                                       url,
                                       "--batch-size",
                                       "32",
                                       "--poll-interval",
                                       "100ms",
                                       "--retry-initial-backoff",
                                       "10ms"};
  KillAtRandomMoments(flags, kills, 1130, min_ms, 400);
  EXPECT_EQ(writer.Wait(), 0) << ReadFile(dir_.File("writer.err"));
  auto last = StartCdcProcess(flags);
  const bool drained = WaitUntil([&] { return Backlog() == 0; }, 120);
  last->Signal(SIGTERM);
  EXPECT_EQ(last->Wait(), 0) << ReadFile(err_);
  EXPECT_TRUE(drained) << ReadFile(err_);
  return drained;
}

std::string WriterPath() { return std::string(CDC_TEST_BIN_DIR) + "/cdc_test_writer"; }
std::string MixedWriterPath() { return std::string(CDC_TEST_BIN_DIR) + "/cdc_test_mixed_writer"; }

}  // namespace sqlite_cdc::testing
