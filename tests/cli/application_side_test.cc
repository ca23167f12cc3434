// What the application notices of a running engine, measured in sizes, never in times: its -wal
// file stays as bounded as it is without the engine. The application is a separate process that
// commits single rows through its own connection (synchronous=NORMAL, as WAL applications run).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "sqlite_cdc/setup.h"
#include "support/app_db.h"
#include "support/captured_db.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace sqlite_cdc {
namespace {

using testing::BackgroundProcess;
using testing::BinaryPath;
using testing::ReadFile;
using testing::RunProcess;

constexpr int kCommits = 4000;
constexpr int kRate = 1000;  // commits per second

// Sets up a fresh database, runs the writer (and the engine beside it when `engine_args` is not
// empty) and returns the largest size its -wal file reached while the writer ran.
long long LargestWal(testing::TempDir& dir, const std::string& name, const std::vector<std::string>& engine_args) {
  const std::string path = dir.File(name);
  {
    testing::AppDb app(path);
    app.Exec("CREATE TABLE items (id INTEGER PRIMARY KEY, n INTEGER, note TEXT)");
  }
  CaptureOptions capture;
  capture.db_path = path;
  EXPECT_TRUE(sqlite_cdc::Setup(capture).ok());
  testing::AppDb keep_open(path);  // so that the writer's close does not remove the -wal file
  std::unique_ptr<BackgroundProcess> engine;
  const std::string out = dir.File(name + ".out"), err = dir.File(name + ".err");
  if (!engine_args.empty()) {
    std::vector<std::string> args{"--db", path};
    args.insert(args.end(), engine_args.begin(), engine_args.end());
    engine = std::make_unique<BackgroundProcess>(BinaryPath("sqlite-cdc"), args, out, err);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  std::atomic<bool> done{false};
  long long largest = 0;
  std::thread sampler([&] {
    while (!done) {
      struct stat info {};
      if (stat((path + "-wal").c_str(), &info) == 0) largest = std::max<long long>(largest, info.st_size);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  const auto writer =
      RunProcess(testing::WriterPath(), {path, std::to_string(kCommits), std::to_string(kRate), "NORMAL"});
  done = true;
  sampler.join();
  EXPECT_EQ(writer.exit_code, 0) << writer.err;
  if (engine) {
    EXPECT_TRUE(testing::WaitUntil([&] { return testing::Backlog(keep_open) == 0; })) << ReadFile(err);
    engine->Signal(SIGTERM);
    EXPECT_EQ(engine->Wait(), 0) << ReadFile(err);
  }
  return largest;
}

// SQLite restarts the WAL from its beginning once a checkpoint has copied every frame back and the
// next write begins with no reader on an older snapshot. An engine that writes after every
// application commit (its deletion of what it delivered) defeats that: the -wal file then grows
// without bound, and every commit past the 1000-page autocheckpoint runs a checkpoint with fsync.
TEST(ApplicationSideTest, TheWalStaysAsBoundedWithTheEngineRunningAsWithout) {
  testing::TempDir dir;
  const long long without = LargestWal(dir, "alone.db", {});
  const long long with = LargestWal(dir, "watched.db", {"--output", "json"});
  ASSERT_GT(without, 0);
  EXPECT_LE(with, 2 * without) << "without the engine " << without << " bytes, with it " << with;
}

}  // namespace
}  // namespace sqlite_cdc
