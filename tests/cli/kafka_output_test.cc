// sqlite-cdc --output kafka://... as a user runs it: the real binary producing into a Kafka cluster
// on loopback (librdkafka's mock cluster, in a helper process that injects faults on command), and
// kcat, an independent consumer, reading what arrived.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <map>
#include <set>

#include "sinks/kafka/debezium_envelope.h"
#include "sqlite_cdc/setup.h"
#include "support/app_db.h"
#include "support/captured_db.h"
#include "support/json_check.h"
#include "support/kafka_mock_cluster.h"
#include "support/process.h"

namespace sqlite_cdc {
namespace {

using testing::BackgroundProcess;
using testing::KafkaMockCluster;
using testing::KafkaRecord;
using testing::ReadFile;
using testing::WaitUntil;

constexpr int kChanges = 60;  // from the test writer: 20 rows, each inserted, updated, then updated or deleted
constexpr int kDeletes = 10;
constexpr int kPartitions = 4;

// Kafka error codes the tests inject into Produce responses.
constexpr int kNotEnoughReplicas = 19;
constexpr int kTopicAuthorizationFailed = 29;
constexpr int kOutOfOrderSequenceNumber = 45;

class KafkaOutputTest : public testing::CapturedDbTest {
 protected:
  KafkaOutputTest() { SetUpCapture(); }

  // Commits the writer's changes and returns them as the log holds them.
  std::vector<testing::LogRow> WriteChanges() {
    const auto writer = testing::RunProcess(testing::WriterPath(), {path_, "60"});
    EXPECT_EQ(writer.exit_code, 0) << writer.err;
    testing::AppDb app(path_);
    return testing::ReadLog(app);
  }

  std::unique_ptr<BackgroundProcess> StartCdc(const std::string& url, const std::vector<std::string>& extra = {}) {
    return StartCdcProcess({"--output", url, "--batch-size", "8", "--poll-interval", "100ms", "--retry-initial-backoff",
                            "10ms", "--retry-max-backoff", "200ms"},
                           extra);
  }

  // Waits until every change left the log (so Kafka acknowledged it), then stops as a user would.
  void DeliverAllAndStop(BackgroundProcess& cdc) {
    EXPECT_TRUE(WaitUntil([&] { return Backlog() == 0; })) << ReadFile(err_);
    cdc.Signal(SIGTERM);
    EXPECT_EQ(cdc.Wait(), 0) << ReadFile(err_);
  }
};

std::string KeyOf(const testing::LogRow& row) { return row.key.value_or(""); }

// The log id each record carries (its `id` header; tombstones have none and are skipped).
std::map<std::string, std::vector<long long>> IdsByKey(const std::vector<KafkaRecord>& records) {
  std::map<std::string, std::vector<long long>> ids;
  for (const KafkaRecord& record : records) {
    if (record.value) ids[record.key.value_or("")].push_back(std::stoll(record.headers.at("id")));
  }
  return ids;
}

// Every change once, keyed by its row, every row in one partition (the one a Java client picks) in log order.
void ExpectEveryChangeOnceInOrderPerKey(const std::vector<KafkaRecord>& records,
                                        const std::vector<testing::LogRow>& log) {
  std::map<std::string, std::vector<long long>> expected;
  for (const testing::LogRow& row : log) expected[KeyOf(row)].push_back(row.id);
  EXPECT_EQ(IdsByKey(records), expected);
  std::set<int> partitions_used;
  for (const KafkaRecord& record : records) {
    ASSERT_TRUE(record.key);
    EXPECT_EQ(record.partition, testing::JavaClientPartition(*record.key, kPartitions)) << *record.key;
    partitions_used.insert(record.partition);
  }
  EXPECT_GT(partitions_used.size(), 1u) << "20 keys spread over the partitions";
}

// After faults and retries a change may arrive more than once, but none is missing and, per key,
// the last copies of the changes come in log order.
void ExpectEveryChangeAtLeastOnceInOrderPerKey(const std::vector<KafkaRecord>& records,
                                               const std::vector<testing::LogRow>& log) {
  std::map<std::string, std::vector<long long>> expected;
  for (const testing::LogRow& row : log) expected[KeyOf(row)].push_back(row.id);
  std::map<std::string, std::vector<long long>> last_copies;
  for (const auto& [key, ids] : IdsByKey(records)) {
    std::vector<long long>& kept = last_copies[key];
    for (long long id : ids) {
      std::erase(kept, id);
      kept.push_back(id);
    }
  }
  EXPECT_EQ(last_copies, expected);
}

const testing::LogRow& RowWithId(const std::vector<testing::LogRow>& log, long long id) {
  return *std::find_if(log.begin(), log.end(), [id](const testing::LogRow& row) { return row.id == id; });
}

TEST_F(KafkaOutputTest, EveryChangeArrivesOnceKeyedByItsRowInLogOrder) {
  KafkaMockCluster cluster({"changes:4"});
  const auto log = WriteChanges();
  auto cdc = StartCdc(cluster.Url("changes"));
  DeliverAllAndStop(*cdc);
  const auto records = testing::ConsumeWithKcat(cluster.bootstrap_servers(), "changes");
  ASSERT_EQ(records.size(), static_cast<size_t>(kChanges));
  ExpectEveryChangeOnceInOrderPerKey(records, log);
  for (const KafkaRecord& record : records) {
    const testing::LogRow& row = RowWithId(log, std::stoll(record.headers.at("id")));
    EXPECT_EQ(record.key, row.key) << "the key is the row's key JSON, as SQLite wrote it";
    EXPECT_EQ(record.headers.at("table"), "items");
    EXPECT_EQ(record.headers.at("operation"), row.operation);
    EXPECT_EQ(record.headers.size(), 3u);
    const auto event = testing::StrictJson(record.value);
    EXPECT_EQ(event["id"], row.id);
    EXPECT_EQ(event["table"], "items");
    EXPECT_EQ(event["timestamp"], row.timestamp);
    EXPECT_EQ(event["operation"], row.operation);
    EXPECT_EQ(event["key"], testing::StrictJson(row.key));
    EXPECT_EQ(event["before"], testing::StrictJson(row.before));
    EXPECT_EQ(event["after"], testing::StrictJson(row.after));
  }
}

TEST_F(KafkaOutputTest, DebeziumFormatWritesEnvelopesAndATombstoneAfterEachDelete) {
  KafkaMockCluster cluster({"changes:4"});
  const auto log = WriteChanges();
  auto cdc = StartCdc(cluster.Url("changes"), {"--format", "debezium"});
  DeliverAllAndStop(*cdc);
  const auto records = testing::ConsumeWithKcat(cluster.bootstrap_servers(), "changes");
  ASSERT_EQ(records.size(), static_cast<size_t>(kChanges + kDeletes));
  ExpectEveryChangeOnceInOrderPerKey(records, log);
  const std::map<std::string, std::string> ops{{"INSERT", "c"}, {"UPDATE", "u"}, {"DELETE", "d"}};
  for (size_t i = 0; i < records.size(); ++i) {
    const KafkaRecord& record = records[i];
    if (!record.value) {
      ASSERT_GT(i, 0u);
      EXPECT_EQ(records[i - 1].headers.at("operation"), "DELETE") << "a tombstone follows its delete";
      EXPECT_EQ(records[i - 1].key, record.key);
      EXPECT_TRUE(record.headers.empty());
      continue;
    }
    const testing::LogRow& row = RowWithId(log, std::stoll(record.headers.at("id")));
    const auto envelope = testing::StrictJson(record.value);
    EXPECT_EQ(envelope["op"], ops.at(row.operation));
    EXPECT_EQ(envelope["before"], testing::StrictJson(row.before));
    EXPECT_EQ(envelope["after"], testing::StrictJson(row.after));
    const auto& source = envelope["source"];
    EXPECT_EQ(source["connector"], "sqlite");
    EXPECT_EQ(source["db"], path_);
    EXPECT_EQ(source["table"], "items");
    EXPECT_EQ(source["id"], row.id);
    EXPECT_EQ(source["snapshot"], "false");
    EXPECT_EQ(source["ts_ms"], *sinks::TimestampMillis(row.timestamp));
    EXPECT_NEAR(envelope["ts_ms"].get<double>(), std::time(nullptr) * 1000.0, 60'000);
    if (row.operation == "DELETE") {
      ASSERT_LT(i + 1, records.size());
      EXPECT_FALSE(records[i + 1].value) << "delete " << row.id << " is followed by its tombstone";
    }
  }
}

TEST_F(KafkaOutputTest, NoTombstonesWhenTurnedOff) {
  KafkaMockCluster cluster({"changes:4"});
  const auto log = WriteChanges();
  auto cdc = StartCdc(cluster.Url("changes"), {"--format", "debezium", "--kafka-no-tombstones"});
  DeliverAllAndStop(*cdc);
  const auto records = testing::ConsumeWithKcat(cluster.bootstrap_servers(), "changes");
  ASSERT_EQ(records.size(), static_cast<size_t>(kChanges));
  for (const KafkaRecord& record : records) EXPECT_TRUE(record.value);
}

TEST_F(KafkaOutputTest, BootstrapRowsAreDebeziumSnapshotReads) {
  KafkaMockCluster cluster({"changes:4"});
  testing::AppDb(path_).Exec("INSERT INTO items VALUES (1, 10, 'a'), (2, 20, 'b'), (3, 30, 'c')");
  const auto bootstrap =
      testing::RunProcess(testing::BinaryPath("sqlite-cdc"),
                          {"--db", path_, "--bootstrap", "--output", cluster.Url("changes"), "--format", "debezium"});
  ASSERT_EQ(bootstrap.exit_code, 0) << bootstrap.err;
  const auto records = testing::ConsumeWithKcat(cluster.bootstrap_servers(), "changes");
  ASSERT_EQ(records.size(), 3u);
  std::set<long long> rows;
  for (const KafkaRecord& record : records) {
    const auto envelope = testing::StrictJson(record.value);
    EXPECT_EQ(envelope["op"], "r");
    EXPECT_EQ(envelope["before"], nullptr);
    EXPECT_EQ(envelope["source"]["snapshot"], "true");
    EXPECT_EQ(record.key, "{\"id\":" + envelope["after"]["id"].dump() + "}");
    rows.insert(envelope["after"]["id"].get<long long>());
  }
  EXPECT_EQ(rows, (std::set<long long>{1, 2, 3}));
}

TEST_F(KafkaOutputTest, TableTopicsTakeEachTablesChangesToItsOwnTopic) {
  KafkaMockCluster cluster({"cdc.items:4", "cdc.order_lines:2"});
  {
    testing::AppDb app(path_);
    app.Exec(
        "CREATE TABLE \"order lines\" (\"order\" INTEGER, line INTEGER, qty INTEGER, PRIMARY KEY (\"order\", line))");
    CaptureOptions capture;
    capture.db_path = path_;
    ASSERT_TRUE(sqlite_cdc::Setup(capture).ok());
    app.Exec("INSERT INTO items VALUES (1, 1, 'x')");
    app.Exec("INSERT INTO \"order lines\" VALUES (7, 1, 3), (7, 2, 5)");
    app.Exec("DELETE FROM \"order lines\" WHERE line = 2");
  }
  auto cdc = StartCdc(cluster.Url("cdc.{table}"));
  DeliverAllAndStop(*cdc);
  const auto items = testing::ConsumeWithKcat(cluster.bootstrap_servers(), "cdc.items");
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].headers.at("table"), "items");
  const auto lines = testing::ConsumeWithKcat(cluster.bootstrap_servers(), "cdc.order_lines");
  ASSERT_EQ(lines.size(), 3u);
  std::vector<std::string> operations;
  for (const KafkaRecord& record : lines) {
    EXPECT_EQ(record.headers.at("table"), "order lines");
    if (record.key == R"({"order":7,"line":2})") operations.push_back(record.headers.at("operation"));
  }
  EXPECT_EQ(operations, (std::vector<std::string>{"INSERT", "DELETE"}));
}

// One request in flight per connection: librdkafka's mock cluster (2.0) checks the idempotent
// producer's sequence numbers only for transactional producers, so it would store a request sent
// after a refused one, which a broker refuses (OUT_OF_ORDER_SEQUENCE_NUMBER). librdkafka takes that
// success as proof that the refused request was stored after all and reports its records delivered
// (rd_kafka_dr_implicit_ack): a loss only the mock can make (1 run in about 25 failed so).
TEST_F(KafkaOutputTest, RetriableProduceErrorsLoseNothing) {
  KafkaMockCluster cluster({"changes:4"});
  cluster.Command("push-errors 6 " + std::to_string(kNotEnoughReplicas));
  const auto log = WriteChanges();
  auto cdc = StartCdc(cluster.Url("changes"), {"--kafka-property", "max.in.flight.requests.per.connection=1"});
  DeliverAllAndStop(*cdc);
  ExpectEveryChangeAtLeastOnceInOrderPerKey(testing::ConsumeWithKcat(cluster.bootstrap_servers(), "changes"), log);
}

TEST_F(KafkaOutputTest, ARefusedRecordStopsWithExit1AndKeepsTheLog) {
  KafkaMockCluster cluster({"changes:4"});
  cluster.Command("push-errors 100 " + std::to_string(kTopicAuthorizationFailed));
  WriteChanges();
  auto cdc = StartCdc(cluster.Url("changes"));
  EXPECT_EQ(cdc->Wait(), 1);
  const std::string err = ReadFile(err_);
  // Refused in a delivery report, or, once librdkafka knows the topic is refused, when queued.
  EXPECT_NE(err.find("to topic changes"), std::string::npos) << err;
  EXPECT_NE(err.find("Broker: Topic authorization failed"), std::string::npos) << err;
  EXPECT_EQ(err.find("retrying"), std::string::npos) << "not worth a retry: " << err;
  EXPECT_EQ(Backlog(), kChanges);
}

TEST_F(KafkaOutputTest, AFailedIdempotentProducerIsReplacedAndNothingIsLost) {
  KafkaMockCluster cluster({"changes:4"});
  cluster.Command("push-errors 1 " + std::to_string(kOutOfOrderSequenceNumber));
  const auto log = WriteChanges();
  auto cdc = StartCdc(cluster.Url("changes"));
  DeliverAllAndStop(*cdc);
  // Replaced when a delivery report tells of the failure, or by the next Send that meets it.
  const std::string err = ReadFile(err_);
  EXPECT_TRUE(err.find("a new producer sends the batch again") != std::string::npos ||
              err.find("the producer failed between batches") != std::string::npos)
      << err;
  ExpectEveryChangeAtLeastOnceInOrderPerKey(testing::ConsumeWithKcat(cluster.bootstrap_servers(), "changes"), log);
}

TEST_F(KafkaOutputTest, ARowTooLargeForKafkaStopsWithExit1AndKeepsTheLog) {
  KafkaMockCluster cluster({"changes:4"});
  testing::AppDb(path_).Exec("INSERT INTO items VALUES (1, 1, printf('%.*c', 2000000, 'x'))");
  auto cdc = StartCdc(cluster.Url("changes"));
  EXPECT_EQ(cdc->Wait(), 1);
  const std::string err = ReadFile(err_);
  EXPECT_NE(err.find("cannot produce change 1 (items) to topic changes"), std::string::npos) << err;
  EXPECT_NE(err.find("message.max.bytes"), std::string::npos) << err;
  EXPECT_EQ(Backlog(), 1);
}

TEST_F(KafkaOutputTest, RetriesExhaustedStopWithExit1AndKeepTheLog) {
  KafkaMockCluster cluster({"changes:4"});
  WriteChanges();
  cluster.Command("broker-down -1");
  auto cdc = StartCdc(cluster.Url("changes"), {"--kafka-timeout", "200ms", "--retry-attempts", "2"});
  EXPECT_EQ(cdc->Wait(), 1);
  EXPECT_NE(ReadFile(err_).find("giving up"), std::string::npos) << ReadFile(err_);
  EXPECT_NE(ReadFile(err_).find("Message timed out"), std::string::npos) << ReadFile(err_);
  EXPECT_EQ(Backlog(), kChanges);
}

TEST_F(KafkaOutputTest, PropertiesPassThroughAndSecretsStayOutOfTheLogs) {
  KafkaMockCluster cluster({"changes:4"});
  std::ofstream(dir_.File("kafka.properties")) << "# credentials\nsasl.username=cdc\nsasl.password=tok-3141592653\n"
                                               << "compression.type=lz4\n";
  const auto log = WriteChanges();
  auto cdc = StartCdc(cluster.Url("changes"),
                      {"--kafka-property-file", dir_.File("kafka.properties"), "--kafka-property", "linger.ms=1",
                       "--kafka-property", "debug=conf,generic", "--log-level", "trace"});
  DeliverAllAndStop(*cdc);
  ExpectEveryChangeOnceInOrderPerKey(testing::ConsumeWithKcat(cluster.bootstrap_servers(), "changes"), log);
  const std::string err = ReadFile(err_);
  EXPECT_NE(err.find("kafka"), std::string::npos) << "librdkafka's debug log reaches ours";
  EXPECT_EQ(err.find("tok-3141592653"), std::string::npos) << err;
}

TEST_F(KafkaOutputTest, BadKafkaSettingsAreExit2WithOneLine) {
  const std::string url = "kafka://127.0.0.1:9/changes";
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
      {{"--output", "kafka://127.0.0.1/changes"}, "has no port"},
      {{"--output", "kafka://127.0.0.1:9092"}, "no topic"},
      {{"--output", url, "--kafka-property", "acks=1"}, "'acks'"},
      {{"--output", url, "--kafka-property", "enable.idempotence=false"}, "'enable.idempotence'"},
      {{"--output", url, "--kafka-property", "no.such.property=1"}, "no such property"},
      {{"--output", url, "--kafka-property", "compression.type=secret-value-123"}, "'compression.type'"},
      {{"--output", url, "--kafka-property-file", "/nonexistent/kafka.properties"}, "cannot read"},
      {{"--output", url, "--kafka-timeout", "soon"}, "invalid duration"},
      {{"--output", url, "--kafka-timeout", "1000h"}, "at most 596h"},
      {{"--output", url, "--format", "avro"}, "--format"},
      {{"--output", "json", "--format", "debezium"}, "kafka:// outputs only"}};
  for (const auto& [extra, expected] : cases) {
    std::vector<std::string> args{"--db", path_};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto result = testing::RunProcess(testing::BinaryPath("sqlite-cdc"), args);
    EXPECT_EQ(result.exit_code, 2) << extra.back();
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_NE(result.err.find(expected), std::string::npos) << result.err;
    EXPECT_EQ(result.err.find("secret-value-123"), std::string::npos) << result.err;
  }
}

}  // namespace
}  // namespace sqlite_cdc
