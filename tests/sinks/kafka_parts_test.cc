// The pure pieces of the Kafka output: URL, topic names, properties, the Debezium envelope, error
// classification and delivery report counting.
#include <gtest/gtest.h>

#include <fstream>

#include "sinks/kafka/debezium_envelope.h"
#include "sinks/kafka/delivery_tracker.h"
#include "sinks/kafka/kafka_errors.h"
#include "sinks/kafka/kafka_properties.h"
#include "sinks/kafka/kafka_sink_config.h"
#include "sinks/kafka/kafka_url.h"
#include "sqlite_cdc/version.h"
#include "support/json_check.h"
#include "support/temp_dir.h"

namespace sqlite_cdc::sinks {
namespace {

KafkaUrl Parsed(const std::string& text) {
  KafkaUrl url;
  const Status status = ParseKafkaUrl(text, &url);
  EXPECT_TRUE(status.ok()) << status.message();
  return url;
}

std::string ParseError(const std::string& text) {
  KafkaUrl url;
  const Status status = ParseKafkaUrl(text, &url);
  EXPECT_FALSE(status.ok()) << text;
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(status.message().find('\n'), std::string::npos);
  return status.message();
}

TEST(KafkaUrlTest, ReadsBrokersAndTopic) {
  const KafkaUrl url = Parsed("kafka://k1.example.com:9092,10.0.0.2:9093,[::1]:9094/cdc.{table}");
  EXPECT_EQ(url.bootstrap_servers, "k1.example.com:9092,10.0.0.2:9093,[::1]:9094");
  EXPECT_EQ(url.topic, "cdc.{table}");
  EXPECT_EQ(Parsed("kafka://localhost:9092/changes").topic, "changes");
}

TEST(KafkaUrlTest, RefusesMalformedUrlsNamingTheFault) {
  EXPECT_NE(ParseError("kafka://localhost/changes").find("has no port"), std::string::npos);
  EXPECT_NE(ParseError("kafka://localhost:0/changes").find("invalid port"), std::string::npos);
  EXPECT_NE(ParseError("kafka://localhost:99999/changes").find("invalid port"), std::string::npos);
  EXPECT_NE(ParseError("kafka://a:1,,b:2/changes").find("has no port"), std::string::npos);
  EXPECT_NE(ParseError("kafka://localhost:9092").find("no topic"), std::string::npos);
  EXPECT_NE(ParseError("kafka://localhost:9092/").find("no topic"), std::string::npos);
  EXPECT_NE(ParseError("kafka:///changes").find("no broker"), std::string::npos);
  EXPECT_NE(ParseError("kafka://localhost:9092/a/b").find("'/'"), std::string::npos);
  EXPECT_NE(ParseError("kafka://localhost:9092/my topic").find("holds ' '"), std::string::npos);
  EXPECT_NE(ParseError("kafka://localhost:9092/cdc.{tabel}").find("holds '{'"), std::string::npos);
  EXPECT_NE(ParseError("kafka://user:secret@localhost:9092/t").find("no user"), std::string::npos);
  EXPECT_NE(ParseError("kafka://localhost:9092/t?acks=1").find("--kafka-property"), std::string::npos);
  EXPECT_NE(ParseError("kafka://localhost:9092/" + std::string(250, 'x')).find("longer than 249"), std::string::npos);
  EXPECT_NE(ParseError("kafka://localhost:9092/..").find("not allowed"), std::string::npos);
  EXPECT_NE(ParseError("http://localhost:9092/t").find("invalid Kafka URL 'http://localhost:9092/t'"),
            std::string::npos);
}

TEST(KafkaTopicTest, TableNamesFillThePlaceholderWithIllegalCharactersReplaced) {
  EXPECT_EQ(TopicForTable("cdc.{table}", "users"), "cdc.users");
  EXPECT_EQ(TopicForTable("changes", "users"), "changes");
  EXPECT_EQ(TopicForTable("{table}.{table}", "a-b_c.D9"), "a-b_c.D9.a-b_c.D9");
  EXPECT_EQ(TopicForTable("cdc.{table}", "order items"), "cdc.order_items");
  EXPECT_EQ(TopicForTable("cdc.{table}", "t\"ä"), "cdc.t___") << "each byte of a UTF-8 sequence";
}

TEST(KafkaPropertiesTest, ParsesNameValueKeepingOrder) {
  KafkaProperties properties;
  ASSERT_TRUE(ParseKafkaProperty("compression.type=zstd", "--kafka-property", &properties).ok());
  ASSERT_TRUE(ParseKafkaProperty(" sasl.password = p=w d ", "--kafka-property", &properties).ok());
  ASSERT_TRUE(ParseKafkaProperty("client.id=", "--kafka-property", &properties).ok());
  const KafkaProperties expected{{"compression.type", "zstd"}, {"sasl.password", "p=w d"}, {"client.id", ""}};
  EXPECT_EQ(properties, expected);
}

TEST(KafkaPropertiesTest, RefusesChangingTheGuaranteesWithoutEchoingTheValue) {
  for (const std::string text :
       {"enable.idempotence=false", "acks=1", "request.required.acks=0", "partitioner=consistent_random",
        "bootstrap.servers=evil:9092", "message.timeout.ms=5", "delivery.timeout.ms=5", "dr_msg_cb=x"}) {
    KafkaProperties properties;
    const Status status = ParseKafkaProperty(text, "--kafka-property", &properties);
    ASSERT_FALSE(status.ok()) << text;
    const std::string name = text.substr(0, text.find('='));
    EXPECT_NE(status.message().find("'" + name + "'"), std::string::npos) << status.message();
    EXPECT_EQ(status.message().find(text.substr(text.find('=') + 1)), std::string::npos) << status.message();
    EXPECT_TRUE(properties.empty());
  }
  KafkaProperties properties;
  for (const std::string text : {"acks=all", "acks=-1", "enable.idempotence=TRUE", "partitioner=murmur2_random"}) {
    EXPECT_TRUE(ParseKafkaProperty(text, "--kafka-property", &properties).ok()) << "restating is fine: " << text;
  }
  for (const std::string text : {"no equals sign", "=value", "bad name=1"}) {
    const Status status = ParseKafkaProperty(text, "--kafka-property", &properties);
    EXPECT_FALSE(status.ok()) << text;
    EXPECT_NE(status.message().find("expected name=value"), std::string::npos);
  }
}

TEST(KafkaPropertiesTest, FileSkipsCommentsAndNamesTheLineAtFault) {
  testing::TempDir dir;
  std::ofstream(dir.File("ok")) << "# SASL\n\nsecurity.protocol=SASL_SSL\n  sasl.username = cdc\n";
  KafkaProperties properties;
  ASSERT_TRUE(ReadKafkaPropertyFile(dir.File("ok"), &properties).ok());
  const KafkaProperties expected{{"security.protocol", "SASL_SSL"}, {"sasl.username", "cdc"}};
  EXPECT_EQ(properties, expected);

  std::ofstream(dir.File("bad")) << "linger.ms=5\nacks=0\n";
  const Status status = ReadKafkaPropertyFile(dir.File("bad"), &properties);
  EXPECT_NE(status.message().find("line 2"), std::string::npos) << status.message();
  EXPECT_NE(ReadKafkaPropertyFile(dir.File("missing"), &properties).message().find("cannot read"), std::string::npos);
}

TEST(KafkaPropertiesTest, RedactsEveryValueLongEnoughToBeASecret) {
  const KafkaProperties properties{{"sasl.password", "hunter22"}, {"acks", "all"}};
  EXPECT_EQ(RedactValues("auth with hunter22 failed (hunter22)", properties), "auth with *** failed (***)");
  EXPECT_EQ(RedactValues("all brokers down", properties), "all brokers down");
}

TEST(KafkaSinkConfigTest, ResolvesFormatPropertiesAndTimeout) {
  testing::TempDir dir;
  std::ofstream(dir.File("props")) << "linger.ms=50\n";
  KafkaSinkOptions options;
  options.format = "debezium";
  options.tombstones = false;
  options.properties = {"linger.ms=10"};
  options.properties_file = dir.File("props");
  options.timeout = std::chrono::milliseconds(1500);
  KafkaSinkConfig config;
  ASSERT_TRUE(ResolveKafkaSinkConfig("kafka://127.0.0.1:9092/t", options, "app.db", &config).ok());
  EXPECT_EQ(config.format, KafkaFormat::kDebezium);
  EXPECT_FALSE(config.tombstones);
  const KafkaProperties expected{{"linger.ms", "50"}, {"linger.ms", "10"}};
  EXPECT_EQ(config.properties, expected) << "the flag comes last, so it wins";
  EXPECT_EQ(config.timeout.count(), 1500);
  EXPECT_EQ(config.source_db, "app.db");

  options.format = "avro";
  EXPECT_NE(ResolveKafkaSinkConfig("kafka://127.0.0.1:9092/t", options, "app.db", &config).message().find("--format"),
            std::string::npos);
}

Change MakeChange(Operation operation) {
  Change change;
  change.id = 42;
  change.table = "users";
  change.timestamp = "2026-11-22T10:00:00.123Z";
  change.operation = operation;
  change.key = R"({"id":1})";
  if (operation != Operation::kInsert) change.before = R"({"id":1,"email":"a@x"})";
  if (operation != Operation::kDelete) change.after = R"({"id":1,"email":"b@x"})";
  return change;
}

nlohmann::ordered_json Envelope(const Change& change, const std::string& db = "app.db") {
  std::string out;
  AppendDebeziumEnvelope(out, change, db, 1'800'000'000'000);
  return testing::StrictJson(out);
}

TEST(DebeziumEnvelopeTest, UpdateCarriesBothImagesSourceAndOp) {
  const auto envelope = Envelope(MakeChange(Operation::kUpdate));
  const auto expected = nlohmann::ordered_json::parse(R"({
    "before": {"id": 1, "email": "a@x"},
    "after": {"id": 1, "email": "b@x"},
    "source": {"version": ")" + std::string(kVersion) +
                                                      R"(", "connector": "sqlite", "name": "sqlite-cdc",
               "ts_ms": 1795341600123, "snapshot": "false", "db": "app.db", "table": "users", "id": 42},
    "op": "u",
    "ts_ms": 1800000000000})");
  EXPECT_EQ(envelope, expected);
}

TEST(DebeziumEnvelopeTest, OpFollowsTheOperationAndBootstrapIsARead) {
  EXPECT_EQ(Envelope(MakeChange(Operation::kInsert))["op"], "c");
  EXPECT_EQ(Envelope(MakeChange(Operation::kInsert))["before"], nullptr);
  EXPECT_EQ(Envelope(MakeChange(Operation::kDelete))["op"], "d");
  EXPECT_EQ(Envelope(MakeChange(Operation::kDelete))["after"], nullptr);
  Change read = MakeChange(Operation::kInsert);
  read.bootstrap = true;
  read.id = 0;
  const auto envelope = Envelope(read);
  EXPECT_EQ(envelope["op"], "r");
  EXPECT_EQ(envelope["source"]["snapshot"], "true");
  EXPECT_EQ(envelope["source"]["id"], 0);
}

TEST(DebeziumEnvelopeTest, NamesAreEscapedAndStayValidJson) {
  Change change = MakeChange(Operation::kInsert);
  change.table = "we\"ird\ntable";
  const auto envelope = Envelope(change, "/data/my \"app\".db");
  EXPECT_EQ(envelope["source"]["table"], "we\"ird\ntable");
  EXPECT_EQ(envelope["source"]["db"], "/data/my \"app\".db");
}

TEST(DebeziumEnvelopeTest, ReadsTheTriggersTimestampsToMilliseconds) {
  EXPECT_EQ(TimestampMillis("1970-01-01T00:00:00.000Z"), 0);
  EXPECT_EQ(TimestampMillis("2026-11-22T10:00:00.123Z"), 1795341600123);
  EXPECT_EQ(TimestampMillis("2026-11-22T10:00:00Z"), 1795341600000) << "--disable-subsec";
  EXPECT_EQ(TimestampMillis("2024-02-29T23:59:59.999Z"), 1709251199999);
  EXPECT_EQ(TimestampMillis("2026-11-22 10:00:00"), std::nullopt);
  EXPECT_EQ(TimestampMillis("2026-02-30T10:00:00Z"), std::nullopt);
  EXPECT_EQ(TimestampMillis(""), std::nullopt);
}

TEST(KafkaErrorsTest, OnlyWhatAnOperatorMustFixIsFatal) {
  using Kind = HandlerResult::Kind;
  for (const rd_kafka_resp_err_t error :
       {RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
        RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED, RD_KAFKA_RESP_ERR__AUTHENTICATION, RD_KAFKA_RESP_ERR__SSL,
        RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
        RD_KAFKA_RESP_ERR_POLICY_VIOLATION}) {
    EXPECT_EQ(ClassifyKafkaError(error), Kind::kFatal) << rd_kafka_err2name(error);
  }
  for (const rd_kafka_resp_err_t error :
       {RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN,
        RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
        RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR__FATAL, RD_KAFKA_RESP_ERR__PURGE_QUEUE}) {
    EXPECT_EQ(ClassifyKafkaError(error), Kind::kRetry) << rd_kafka_err2name(error);
  }
}

TEST(DeliveryTrackerTest, ConfirmsBatchesOnlyInTheOrderTheyWereSent) {
  DeliveryTracker tracker;
  tracker.StartBatch();
  void* first_a = tracker.Track({1, nullptr});
  void* first_b = tracker.Track({2, nullptr});
  tracker.StartBatch();
  void* second = tracker.Track({3, nullptr});
  tracker.OnReport(second, RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(tracker.TakeConfirmed(), 0u) << "the first batch is still in flight";
  tracker.OnReport(first_b, RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(tracker.TakeConfirmed(), 0u);
  tracker.OnReport(first_a, RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(tracker.TakeConfirmed(), 2u);
  EXPECT_TRUE(tracker.empty());
}

TEST(DeliveryTrackerTest, AFailedBatchHoldsBackEveryLaterOne) {
  DeliveryTracker tracker;
  std::vector<void*> opaques;
  for (int64_t id = 1; id <= 3; ++id) {
    tracker.StartBatch();
    opaques.push_back(tracker.Track({id, nullptr}));
  }
  tracker.OnReport(opaques[2], RD_KAFKA_RESP_ERR_NO_ERROR);
  tracker.OnReport(opaques[1], RD_KAFKA_RESP_ERR__MSG_TIMED_OUT);
  tracker.OnReport(opaques[0], RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(tracker.TakeConfirmed(), 1u);
  ASSERT_EQ(tracker.batches(), 2u);
  ASSERT_TRUE(tracker.in_flight().front().failure);
  EXPECT_EQ(tracker.in_flight().front().failure->record.change_id, 2);
  EXPECT_EQ(tracker.TakeConfirmed(), 0u) << "the third batch succeeded, but after a failed one";
}

TEST(DeliveryTrackerTest, IgnoresTheLateReportsOfForgottenBatches) {
  DeliveryTracker tracker;
  tracker.StartBatch();
  void* stale = tracker.Track({1, nullptr});
  tracker.ForgetAll();  // the attempt failed with one record unreported
  tracker.StartBatch();
  void* first = tracker.Track({1, nullptr});
  void* second = tracker.Track({2, nullptr});
  EXPECT_EQ(tracker.in_flight().front().pending, 2u);
  tracker.OnReport(stale, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT);
  EXPECT_EQ(tracker.in_flight().front().pending, 2u);
  EXPECT_FALSE(tracker.in_flight().front().failure);
  tracker.OnReport(second, RD_KAFKA_RESP_ERR_NO_ERROR);
  tracker.OnReport(first, RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(tracker.TakeConfirmed(), 1u);
}

TEST(DeliveryTrackerTest, APermanentFailureWinsOverAnEarlierPassingOne) {
  DeliveryTracker tracker;
  tracker.StartBatch();
  void* a = tracker.Track({10, nullptr});
  void* b = tracker.Track({11, nullptr});
  void* c = tracker.Track({12, nullptr});
  tracker.OnReport(a, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT);
  EXPECT_FALSE(tracker.in_flight().front().permanent_failure);
  tracker.OnReport(b, RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
  tracker.OnReport(c, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  const DeliveryTracker::Batch& batch = tracker.in_flight().front();
  ASSERT_TRUE(batch.failure);
  EXPECT_TRUE(batch.permanent_failure);
  EXPECT_EQ(batch.failure->record.change_id, 11);
  EXPECT_EQ(batch.failure->error, RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
  EXPECT_EQ(batch.failures, 3u);
}

}  // namespace
}  // namespace sqlite_cdc::sinks
