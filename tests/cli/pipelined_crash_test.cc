// SIGKILL at random moments while batches are in flight to a pipelined output (Kafka, S3), with an
// application writing in another process: nothing is lost, and per key the newest change is the
// last a consumer sees. Read back by independent readers: kcat, and sqlite-cdc-restore.
#include <gtest/gtest.h>
#include <signal.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "support/app_db.h"
#include "support/captured_db.h"
#include "support/kafka_mock_cluster.h"
#include "support/process.h"
#include "support/s3_test_server.h"

namespace sqlite_cdc {
namespace {

using testing::AppDb;
using testing::BackgroundProcess;
using testing::ReadFile;
using testing::WaitUntil;

constexpr int kChanges = 12000;
constexpr int kKills = 12;

class PipelinedCrashTest : public testing::CapturedDbTest {
 protected:
  PipelinedCrashTest() { SetUpCapture(); }

  // The writer commits kChanges single-row changes while the engine is killed kKills times at
  // random moments; then one engine drains the rest and stops cleanly.
  void WriteWhileKilling(const std::vector<std::string>& output_flags) {
    BackgroundProcess writer(testing::WriterPath(), {path_, std::to_string(kChanges), "4000"}, dir_.File("writer.out"),
                             dir_.File("writer.err"));
    std::vector<std::string> flags = output_flags;
    for (const char* flag : {"--batch-size", "64", "--poll-interval", "100ms", "--retry-initial-backoff", "10ms",
                             "--retry-max-backoff", "200ms", "--retry-attempts", "1000"}) {
      flags.push_back(flag);
    }
    KillAtRandomMoments(flags, kKills, 4242, 100, 400);
    ASSERT_EQ(writer.Wait(), 0) << ReadFile(dir_.File("writer.err"));
    auto last = StartCdcProcess(flags);
    ASSERT_TRUE(WaitUntil([&] { return Backlog() == 0; }, 120)) << ReadFile(err_);
    last->Signal(SIGTERM);
    EXPECT_EQ(last->Wait(), 0) << ReadFile(err_);
  }
};

TEST_F(PipelinedCrashTest, KafkaGetsEveryChangeAndEachKeysNewestLast) {
  testing::KafkaMockCluster cluster({"changes:4"}, 3);
  ASSERT_NO_FATAL_FAILURE(WriteWhileKilling({"--output", cluster.Url("changes")}));
  std::set<int64_t> ids;
  std::map<std::string, std::vector<int64_t>> by_key;  // in the order a consumer of the partition reads them
  for (const testing::KafkaRecord& record : testing::ConsumeWithKcat(cluster.bootstrap_servers(), "changes")) {
    ASSERT_TRUE(record.value && record.key);
    const int64_t id = nlohmann::json::parse(*record.value)["id"].get<int64_t>();
    ids.insert(id);
    by_key[*record.key].push_back(id);
  }
  ASSERT_EQ(ids.size(), static_cast<size_t>(kChanges)) << "every change, whatever was in flight at a kill";
  EXPECT_EQ(*ids.begin(), 1);
  EXPECT_EQ(*ids.rbegin(), kChanges);
  for (const auto& [key, seen] : by_key) {
    EXPECT_EQ(seen.back(), *std::max_element(seen.begin(), seen.end())) << "key " << key << ": an older change last";
  }
}

TEST_F(PipelinedCrashTest, TheS3ArchiveRestoresToTheSource) {
  setenv("AWS_ACCESS_KEY_ID", "S3RVER", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "S3RVER", 1);
  testing::S3TestServer server("crash");
  const std::string url = "s3://crash/app?endpoint=" + server.endpoint();
  ASSERT_NO_FATAL_FAILURE(WriteWhileKilling({"--output", url, "--s3-flush-interval", "200ms"}));
  const auto restored =
      testing::RunProcess(testing::BinaryPath("sqlite-cdc-restore"), {"--from", url, "--to", dir_.File("restored.db")});
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  const std::string dump =
      "SELECT group_concat(id || ':' || n || ':' || note, ',') FROM (SELECT * FROM items ORDER BY id)";
  EXPECT_EQ(AppDb(dir_.File("restored.db")).Text(dump), AppDb(path_).Text(dump));
}

}  // namespace
}  // namespace sqlite_cdc
