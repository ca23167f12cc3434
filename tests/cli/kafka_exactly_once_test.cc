// sqlite-cdc --exactly-once --output kafka://... as a user runs it: the real binary with a
// transactional producer against librdkafka's mock cluster (in a helper process), and kcat reading
// read_committed, as the README tells consumers to.
//
// What librdkafka 2.0.2's mock cluster cannot show: it accepts the transactional protocol but keeps
// none of its semantics. Records are visible as soon as they are produced (its Fetch answers the
// high watermark as the last stable offset and no aborted transactions), EndTxn writes no markers, and
// InitProducerId hands out a new producer id without fencing the old one. So what an abort or a
// fence does on a real cluster is not observable here: the fence is injected as the error a real
// coordinator answers, and the crash test checks what the sink decides (its position and resume),
// not the broker's filtering of what killed instances left open.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "support/app_db.h"
#include "support/captured_db.h"
#include "support/kafka_mock_cluster.h"
#include "support/mixed_tables.h"
#include "support/process.h"

namespace sqlite_cdc {
namespace {

using testing::BackgroundProcess;
using testing::KafkaMockCluster;
using testing::KafkaRecord;
using testing::ReadFile;
using testing::WaitUntil;

constexpr char kPositions[] = "sqlite-cdc-positions";
// Made with the cluster: the mock cluster does not know CreateTopics (the sink would wait for it up
// to 5 s and go on, the first transaction then auto-creating the topic).
constexpr char kPositionTopic[] = "sqlite-cdc-positions:1";
constexpr int kAddPartitionsToTxnApi = 24;
constexpr int kEndTxnApi = 26;
constexpr int kTopicAuthorizationFailed = 29;
constexpr int kProducerFenced = 90;

// Every record of `topic`, read_committed, by partition then offset.
std::vector<KafkaRecord> ConsumeCommitted(const KafkaMockCluster& cluster, const std::string& topic) {
  return testing::ConsumeWithKcat(cluster.bootstrap_servers(), topic, {"-X", "isolation.level=read_committed"});
}

// The log ids of the change records, in the order a consumer of all partitions reads them.
std::multiset<long long> Ids(const std::vector<KafkaRecord>& records) {
  std::multiset<long long> ids;
  for (const KafkaRecord& record : records) ids.insert(std::stoll(record.headers.at("id")));
  return ids;
}

// The newest position record for `transactional_id`, as a consumer reads it.
nlohmann::json Position(const KafkaMockCluster& cluster, const std::string& transactional_id) {
  nlohmann::json newest;
  for (const KafkaRecord& record : ConsumeCommitted(cluster, kPositions)) {
    if (record.key == transactional_id && record.value) newest = nlohmann::json::parse(*record.value);
  }
  return newest;
}

class KafkaExactlyOnceTest : public testing::CapturedDbTest {
 protected:
  KafkaExactlyOnceTest() { SetUpCapture(); }

  void Write(int changes) {
    const auto writer = testing::RunProcess(testing::WriterPath(), {path_, std::to_string(changes)});
    ASSERT_EQ(writer.exit_code, 0) << writer.err;
  }

  std::vector<std::string> Flags(const KafkaMockCluster& cluster, const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> flags{"--output", cluster.Url("changes"), "--exactly-once", "--batch-size",
                                   "8",        "--poll-interval",      "100ms",          "--retry-initial-backoff",
                                   "10ms",     "--retry-max-backoff",  "200ms",          "--kafka-transactional-id",
                                   "eo-test"};
    flags.insert(flags.end(), extra.begin(), extra.end());
    return flags;
  }

  // Runs the engine on `db` until its log is empty, then stops it as a user would.
  void DeliverAll(const KafkaMockCluster& cluster, const std::vector<std::string>& extra = {}) {
    auto cdc = StartCdcProcess(Flags(cluster, extra));
    ASSERT_TRUE(WaitUntil([&] { return Backlog() == 0; })) << ReadFile(err_);
    cdc->Signal(SIGTERM);
    ASSERT_EQ(cdc->Wait(), 0) << ReadFile(err_);
  }
};

TEST_F(KafkaExactlyOnceTest, EachChangeOnceWithItsPositionCommittedBesideIt) {
  KafkaMockCluster cluster({"changes:4", kPositionTopic});
  Write(60);
  ASSERT_NO_FATAL_FAILURE(DeliverAll(cluster));
  const auto records = ConsumeCommitted(cluster, "changes");
  std::multiset<long long> expected;
  for (long long id = 1; id <= 60; ++id) expected.insert(id);
  EXPECT_EQ(Ids(records), expected);
  nlohmann::json position = Position(cluster, "eo-test");
  EXPECT_EQ(position["log_epoch"].get<std::string>().size(), 32u) << position << ": the log's identity";
  position.erase("log_epoch");
  EXPECT_EQ(position, nlohmann::json::parse(R"({"log_id":60,"snapshot":"none"})"));
}

// A copy of the database holds the log that was already delivered (as after a crash between the
// commit and the log's cleanup): the engine resumes after the position Kafka holds.
TEST_F(KafkaExactlyOnceTest, ResumesAfterThePositionWithoutDeliveringAgain) {
  KafkaMockCluster cluster({"changes:4", kPositionTopic});
  Write(60);
  const std::string copy = dir_.File("copy.db");
  testing::AppDb(path_).Exec("VACUUM INTO '" + copy + "'");
  ASSERT_NO_FATAL_FAILURE(DeliverAll(cluster));
  std::filesystem::rename(copy, path_);
  std::filesystem::remove(path_ + "-wal");
  std::filesystem::remove(path_ + "-shm");
  ASSERT_EQ(Backlog(), 60) << "the copy still holds every change";
  testing::AppDb(path_).Exec("UPDATE items SET note = 'after' WHERE id < 5");
  ASSERT_NO_FATAL_FAILURE(DeliverAll(cluster));
  const auto ids = Ids(ConsumeCommitted(cluster, "changes"));
  EXPECT_EQ(ids.size(), std::set<long long>(ids.begin(), ids.end()).size()) << "a change delivered twice";
  EXPECT_EQ(ids.count(60), 1u);
  EXPECT_EQ(*ids.rbegin(), Position(cluster, "eo-test")["log_id"].get<long long>());
  EXPECT_GT(*ids.rbegin(), 60) << "the changes after the position were delivered";
  EXPECT_NE(ReadFile(err_).find("resuming after it"), std::string::npos) << ReadFile(err_);
}

TEST_F(KafkaExactlyOnceTest, ABootstrapThenChangesAndNoSecondSnapshot) {
  KafkaMockCluster cluster({"changes:4", kPositionTopic});
  testing::AppDb(path_).Exec("INSERT INTO items VALUES (1001, 1, 'a'), (1002, 2, 'b'), (1003, 3, 'c')");
  const auto drained = Backlog();
  auto cdc = StartCdcProcess(Flags(cluster, {"--bootstrap", "--cdc"}));
  ASSERT_TRUE(WaitUntil([&] {
    const nlohmann::json position = Position(cluster, "eo-test");
    return position.is_object() && position["snapshot"] == "complete";
  })) << ReadFile(err_);
  Write(30);
  ASSERT_TRUE(WaitUntil([&] { return Backlog() == 0; })) << ReadFile(err_);
  cdc->Signal(SIGTERM);
  ASSERT_EQ(cdc->Wait(), 0) << ReadFile(err_);
  EXPECT_EQ(drained, 3);
  auto records = ConsumeCommitted(cluster, "changes");
  size_t snapshot_rows = 0;
  for (const KafkaRecord& record : records)
    snapshot_rows += record.value->find("\"bootstrap\":true") != std::string::npos;
  EXPECT_EQ(snapshot_rows, 3u);
  EXPECT_EQ(records.size(), 3u + 30u) << "the snapshot, then the 30 changes after it (not the 3 inserts logged before)";
  EXPECT_EQ(Position(cluster, "eo-test")["log_id"], 33);

  // Again with --bootstrap: the output holds a complete snapshot, so none is taken.
  std::vector<std::string> again{"--db", path_};
  for (const std::string& flag : Flags(cluster, {"--bootstrap", "--drain"})) again.push_back(flag);
  const auto rerun = testing::RunProcess(testing::BinaryPath("sqlite-cdc"), again);
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_EQ(ConsumeCommitted(cluster, "changes").size(), records.size());
}

// What a real coordinator answers a producer whose transactional id another instance took.
TEST_F(KafkaExactlyOnceTest, AFencedInstanceStopsWithOneClearLine) {
  KafkaMockCluster cluster({"changes:4", kPositionTopic});
  Write(30);
  auto cdc = StartCdcProcess(Flags(cluster));
  ASSERT_TRUE(WaitUntil([&] { return Backlog() == 0; })) << ReadFile(err_);
  cluster.Command("push-request-errors " + std::to_string(kEndTxnApi) + " 1 " + std::to_string(kProducerFenced));
  testing::AppDb(path_).Exec("UPDATE items SET note = 'after'");
  EXPECT_EQ(cdc->Wait(), 1) << ReadFile(err_);
  EXPECT_NE(ReadFile(err_).find("fenced: another producer took transactional id eo-test"), std::string::npos)
      << ReadFile(err_);
  EXPECT_GT(Backlog(), 0) << "what the fenced instance could not commit stays in the log";
}

// Every broker goes away with a transaction open (its records sent, its commit not answered), and
// comes back: the sink waits, starts a new producer if the commit's outcome stays unknown, and sends
// again what was not known to be committed (on the mock cluster records of a transaction given up on
// stay visible, so ids may repeat; none may be missing). The position ends at the last change.
TEST_F(KafkaExactlyOnceTest, BrokersDownMidTransactionLoseNothing) {
  KafkaMockCluster cluster({"changes:4", kPositionTopic});
  Write(20);
  auto cdc = StartCdcProcess(Flags(cluster, {"--kafka-timeout", "1s"}));
  ASSERT_TRUE(WaitUntil([&] { return Backlog() == 0; })) << ReadFile(err_);
  for (int broker = 1; broker <= 3; ++broker) cluster.Command("broker-down " + std::to_string(broker));
  testing::AppDb(path_).Exec("UPDATE items SET note = 'after'");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_GT(Backlog(), 0) << "nothing can be committed while the brokers are down";
  for (int broker = 1; broker <= 3; ++broker) cluster.Command("broker-up " + std::to_string(broker));
  ASSERT_TRUE(WaitUntil([&] { return Backlog() == 0; })) << ReadFile(err_);
  cdc->Signal(SIGTERM);
  ASSERT_EQ(cdc->Wait(), 0) << ReadFile(err_);
  const long long last = testing::AppDb(path_).Int("SELECT max(id) FROM __cdc_log");
  ASSERT_GT(last, 20);
  const std::multiset<long long> ids = Ids(ConsumeCommitted(cluster, "changes"));
  for (long long id = 1; id <= last; ++id) EXPECT_GT(ids.count(id), 0u) << "change " << id << " is missing";
  EXPECT_EQ(Position(cluster, "eo-test")["log_id"], last) << ReadFile(err_);
}

// A refusal the operator must mend (here the position topic's ACL) stops the engine with one line
// naming it, and what was not committed stays in the log.
TEST_F(KafkaExactlyOnceTest, AnAuthorizationRefusalMidTransactionStopsAndKeepsTheLog) {
  KafkaMockCluster cluster({"changes:4", kPositionTopic});
  Write(20);
  auto cdc = StartCdcProcess(Flags(cluster));
  ASSERT_TRUE(WaitUntil([&] { return Backlog() == 0; })) << ReadFile(err_);
  cluster.Command("push-request-errors " + std::to_string(kAddPartitionsToTxnApi) + " 20 " +
                  std::to_string(kTopicAuthorizationFailed));
  testing::AppDb app(path_);
  const long long delivered = app.Int("SELECT max(id) FROM __cdc_log");
  const int updated = app.Int("SELECT count(*) FROM items");
  ASSERT_GT(updated, 0);
  app.Exec("UPDATE items SET note = 'after'");
  EXPECT_EQ(cdc->Wait(), 1) << ReadFile(err_);
  EXPECT_NE(ReadFile(err_).find("uthoriz"), std::string::npos) << ReadFile(err_);
  EXPECT_EQ(Backlog(), updated) << "the changes not committed stay in the log";
  EXPECT_EQ(Position(cluster, "eo-test")["log_id"], delivered);
}

TEST_F(KafkaExactlyOnceTest, TheDefaultTransactionalIdIsTheSameHoweverThePathIsSpelled) {
  KafkaMockCluster cluster({"changes:4", kPositionTopic});
  Write(6);
  const std::string spelled = (dir_.path() / "." / std::filesystem::path(path_).filename()).string();
  const auto run =
      testing::RunProcess(testing::BinaryPath("sqlite-cdc"),
                          {"--db", spelled, "--output", cluster.Url("changes"), "--exactly-once", "--drain"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  testing::AppDb(path_).Exec("UPDATE items SET note = 'after'");
  const auto again =
      testing::RunProcess(testing::BinaryPath("sqlite-cdc"),
                          {"--db", path_, "--output", cluster.Url("changes"), "--exactly-once", "--drain"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  std::set<std::string> keys;
  for (const KafkaRecord& record : ConsumeCommitted(cluster, kPositions)) keys.insert(record.key.value_or(""));
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys.begin()->rfind("sqlite-cdc-", 0), 0u) << *keys.begin();
}

TEST_F(KafkaExactlyOnceTest, ATransactionalIdWithoutExactlyOnceIsRefused) {
  const auto run =
      testing::RunProcess(testing::BinaryPath("sqlite-cdc"),
                          {"--db", path_, "--output", "kafka://127.0.0.1:1/t", "--kafka-transactional-id", "x"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("--kafka-transactional-id applies with --exactly-once only"), std::string::npos) << run.err;
}

constexpr int kCrashChanges = 6000;
constexpr int kKills = 12;

class KafkaExactlyOnceCrashTest : public testing::CapturedDbTest {
 protected:
  KafkaExactlyOnceCrashTest() : CapturedDbTest(testing::kMixedTables) { SetUpCapture(); }
};

// SIGKILL at random moments while a separate writer commits to two tables (one keyed by two
// columns): every change arrives, per key the newest last, and the position reaches the last change.
// On a real cluster a read_committed consumer would also see nothing twice; on the mock cluster the
// records of the transactions the kills left open stay visible (see the top of this file), so the
// duplicates counted here are those, bounded by what one open transaction holds per kill.
TEST_F(KafkaExactlyOnceCrashTest, KilledAtRandomEveryChangeArrivesAndTheNewestOfEachKeyLast) {
  KafkaMockCluster cluster({"changes:4", kPositionTopic}, 3);
  BackgroundProcess writer(testing::MixedWriterPath(), {path_, std::to_string(kCrashChanges), "400"},
                           dir_.File("writer.out"), dir_.File("writer.err"));
  const std::vector<std::string> flags{"--output", cluster.Url("changes"), "--exactly-once", "--batch-size",
                                       "64",       "--poll-interval",      "100ms",          "--retry-initial-backoff",
                                       "10ms",     "--retry-max-backoff",  "200ms",          "--retry-attempts",
                                       "1000"};
  // An instance needs about half a second to fence the one before and read the position: the kills
  // come after that, while transactions are open or being committed.
  const int kills_with_backlog = KillAtRandomMoments(flags, kKills, 1717, 600, 1500);
  ASSERT_EQ(writer.Wait(), 0) << ReadFile(dir_.File("writer.err"));
  EXPECT_GE(kills_with_backlog, kKills / 2) << "most kills must come while there is something to deliver";
  auto last = StartCdcProcess(flags);
  ASSERT_TRUE(WaitUntil([&] { return Backlog() == 0; }, 120)) << ReadFile(err_);
  last->Signal(SIGTERM);
  ASSERT_EQ(last->Wait(), 0) << ReadFile(err_);

  std::set<long long> ids;
  size_t copies = 0;
  std::map<std::string, std::vector<long long>> last_copies;  // per key, each change's last copy, in read order
  std::set<std::string> tables;
  for (const KafkaRecord& record : ConsumeCommitted(cluster, "changes")) {
    const long long id = std::stoll(record.headers.at("id"));
    ids.insert(id);
    ++copies;
    tables.insert(record.headers.at("table"));
    std::vector<long long>& kept = last_copies[record.headers.at("table") + *record.key];
    std::erase(kept, id);
    kept.push_back(id);
  }
  ASSERT_EQ(ids.size(), static_cast<size_t>(kCrashChanges)) << "every change, whatever was open at a kill";
  EXPECT_EQ(*ids.begin(), 1);
  EXPECT_EQ(*ids.rbegin(), kCrashChanges);
  EXPECT_EQ(tables, (std::set<std::string>{"accounts", "order lines"}));
  for (const auto& [key, seen] : last_copies) {
    EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end())) << key << ": changes out of log order";
  }
  std::string transactional_id;
  for (const KafkaRecord& record : ConsumeCommitted(cluster, kPositions)) transactional_id = record.key.value_or("");
  EXPECT_EQ(Position(cluster, transactional_id)["log_id"], kCrashChanges);
  RecordProperty("copies_beyond_one", static_cast<int>(copies - ids.size()));
  std::printf("kafka exactly-once torture: %zu records for %zu changes; %d kills while the log held changes\n", copies,
              ids.size(), kills_with_backlog);
}

}  // namespace
}  // namespace sqlite_cdc
