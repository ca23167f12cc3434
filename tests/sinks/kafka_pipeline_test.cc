// The Kafka sink as a PipelinedHandler: several batches in flight at once against librdkafka's mock
// cluster (in a helper process that injects faults on command), driven the way the engine drives it
// (Send ahead, Poll for confirmations, send again from the first unconfirmed batch after a failure),
// and kcat, an independent consumer, reading what arrived.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sinks/kafka/kafka_sink.h"
#include "support/kafka_mock_cluster.h"

namespace sqlite_cdc::sinks {
namespace {

using std::chrono::milliseconds;
using testing::KafkaMockCluster;
using testing::KafkaRecord;

constexpr int kKeys = 20;
constexpr size_t kBatchSize = 50;

// Kafka error codes the tests inject into Produce responses.
constexpr int kTopicAuthorizationFailed = 29;
constexpr int kOutOfOrderSequenceNumber = 45;

// Batch `number` (from 0): kBatchSize updates with consecutive ids, over kKeys rows in turn, so that
// every batch touches every key and a key's changes are spread over many batches.
Changes MakeBatch(size_t number) {
  Changes batch;
  for (size_t i = 0; i < kBatchSize; ++i) {
    Change change;
    change.id = static_cast<int64_t>(number * kBatchSize + i + 1);
    change.table = "items";
    change.timestamp = "2026-11-30T10:00:00.000Z";
    change.operation = Operation::kUpdate;
    change.key = "{\"id\":" + std::to_string(change.id % kKeys) + "}";
    change.before = "{\"id\":" + std::to_string(change.id % kKeys) + ",\"n\":0}";
    change.after = "{\"id\":" + std::to_string(change.id % kKeys) + ",\"n\":" + std::to_string(change.id) + "}";
    batch.push_back(std::move(change));
  }
  return batch;
}

std::unique_ptr<KafkaSink> MakeSink(const KafkaMockCluster& cluster, milliseconds timeout,
                                    const std::vector<std::string>& properties = {}) {
  KafkaSinkOptions options;
  options.timeout = timeout;
  // Back on its feet quickly once the brokers are: the tests then need few retries.
  options.properties = {"reconnect.backoff.ms=10", "reconnect.backoff.max.ms=100"};
  options.properties.insert(options.properties.end(), properties.begin(), properties.end());
  KafkaSinkConfig config;
  std::unique_ptr<KafkaSink> sink;
  EXPECT_TRUE(ResolveKafkaSinkConfig(cluster.Url("changes"), options, "pipeline.db", &config).ok());
  EXPECT_TRUE(KafkaSink::Create(std::move(config), &sink).ok());
  return sink;
}

// What Poll reported, added up, until `batches` were confirmed, a failure, or 30 s.
struct Outcome {
  size_t confirmed = 0;
  HandlerResult failure;
};

Outcome PollUntil(KafkaSink& sink, size_t batches) {
  Outcome outcome;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (outcome.confirmed < batches && std::chrono::steady_clock::now() < deadline) {
    const Confirmations got = sink.Poll(milliseconds(100), true);
    outcome.confirmed += got.batches;
    if (got.failure.kind != HandlerResult::Kind::kSuccess) {
      outcome.failure = got.failure;
      break;
    }
  }
  return outcome;
}

// Sends batches [from, to) ahead of their confirmations, then polls until they are confirmed or one
// fails. A failure the sink already knows of is reported by the Send itself, else by a Poll: the
// contract allows both, and which one comes depends on timing.
Outcome SendThenPoll(KafkaSink& sink, size_t from, size_t to) {
  Outcome outcome;
  for (size_t number = from; number < to; ++number) {
    const HandlerResult sent = sink.Send(MakeBatch(number));
    if (sent.kind != HandlerResult::Kind::kSuccess) {
      outcome.failure = sent;
      return outcome;
    }
  }
  return PollUntil(sink, to - from);
}

// As the engine does: sends batches [first, count) and, after each failure, all of them again from
// the first unconfirmed one, until every one is confirmed (or 60 s). Returns how many were.
size_t DeliverFrom(KafkaSink& sink, size_t first, size_t count) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (first < count && std::chrono::steady_clock::now() < deadline) {
    bool sent_all = true;
    for (size_t number = first; number < count; ++number) {
      if (sink.Send(MakeBatch(number)).kind != HandlerResult::Kind::kSuccess) {
        sent_all = false;
        break;
      }
    }
    if (!sent_all) continue;
    const Outcome outcome = PollUntil(sink, count - first);
    first += outcome.confirmed;
    EXPECT_NE(outcome.failure.kind, HandlerResult::Kind::kFatal) << outcome.failure.message;
  }
  return first;
}

// Per key, the log ids its records carry (the `id` header), in the order a consumer reads them.
std::map<std::string, std::vector<int64_t>> IdsByKey(const std::vector<KafkaRecord>& records) {
  std::map<std::string, std::vector<int64_t>> ids;
  for (const KafkaRecord& record : records) ids[record.key.value_or("")].push_back(std::stoll(record.headers.at("id")));
  return ids;
}

// Per key, the ids of the first `batches` batches, in log order.
std::map<std::string, std::vector<int64_t>> ExpectedIdsByKey(size_t batches) {
  std::map<std::string, std::vector<int64_t>> ids;
  for (size_t number = 0; number < batches; ++number) {
    for (const Change& change : MakeBatch(number)) ids[change.key].push_back(change.id);
  }
  return ids;
}

// Per key, each id kept at its last copy: what a consumer that applies every record ends up with,
// in the order it applied the last copies.
std::map<std::string, std::vector<int64_t>> LastCopies(const std::vector<KafkaRecord>& records) {
  std::map<std::string, std::vector<int64_t>> last;
  for (const auto& [key, ids] : IdsByKey(records)) {
    std::vector<int64_t>& kept = last[key];
    for (int64_t id : ids) {
      std::erase(kept, id);
      kept.push_back(id);
    }
  }
  return last;
}

TEST(KafkaPipelineTest, BatchesSentBeforeAnyPollAreAllConfirmedAndArriveOnceInOrderPerKey) {
  KafkaMockCluster cluster({"changes:3"});
  auto sink = MakeSink(cluster, milliseconds(10000));
  constexpr size_t kBatches = 8;
  const Outcome outcome = SendThenPoll(*sink, 0, kBatches);
  EXPECT_EQ(outcome.failure.kind, HandlerResult::Kind::kSuccess) << outcome.failure.message;
  EXPECT_EQ(outcome.confirmed, kBatches);
  const Confirmations after = sink->Poll(milliseconds(200), true);
  EXPECT_EQ(after.batches, 0u) << "nothing is confirmed twice";

  const auto records = testing::ConsumeWithKcat(cluster.bootstrap_servers(), "changes");
  EXPECT_EQ(records.size(), kBatches * kBatchSize);
  EXPECT_EQ(IdsByKey(records), ExpectedIdsByKey(kBatches));
}

TEST(KafkaPipelineTest, ASendIntoAFullQueueWaitsForRoomAndLosesNothing) {
  KafkaMockCluster cluster({"changes:3"});
  // Room for two batches' records: the later Sends wait while the earlier batches are delivered.
  auto sink =
      MakeSink(cluster, milliseconds(10000), {"queue.buffering.max.messages=" + std::to_string(2 * kBatchSize)});
  constexpr size_t kBatches = 8;
  const Outcome outcome = SendThenPoll(*sink, 0, kBatches);
  EXPECT_EQ(outcome.failure.kind, HandlerResult::Kind::kSuccess) << outcome.failure.message;
  EXPECT_EQ(outcome.confirmed, kBatches) << "the reports served while a Send waited still count";
  EXPECT_EQ(IdsByKey(testing::ConsumeWithKcat(cluster.bootstrap_servers(), "changes")), ExpectedIdsByKey(kBatches));
}

TEST(KafkaPipelineTest, BrokersDownMidWindowFailTheRestAndASendFromTheFirstUnconfirmedLosesNothing) {
  KafkaMockCluster cluster({"changes:3"});
  auto sink = MakeSink(cluster, milliseconds(1000));
  ASSERT_EQ(DeliverFrom(*sink, 0, 2), 2u) << "connected and delivering";

  ASSERT_EQ(sink->Send(MakeBatch(2)).kind, HandlerResult::Kind::kSuccess);
  ASSERT_EQ(sink->Send(MakeBatch(3)).kind, HandlerResult::Kind::kSuccess);
  cluster.Command("broker-down -1");
  ASSERT_EQ(sink->Send(MakeBatch(4)).kind, HandlerResult::Kind::kSuccess) << "queued while the brokers are down";
  ASSERT_EQ(sink->Send(MakeBatch(5)).kind, HandlerResult::Kind::kSuccess);
  const Outcome outcome = PollUntil(*sink, 4);
  EXPECT_EQ(outcome.failure.kind, HandlerResult::Kind::kRetry) << outcome.failure.message;
  EXPECT_LE(outcome.confirmed, 2u) << "batch 4 was sent with every broker down";

  // The failed window is forgotten: late reports (the brokers answer again) confirm nothing.
  cluster.Command("broker-up -1");
  const auto quiet_until = std::chrono::steady_clock::now() + milliseconds(1500);
  while (std::chrono::steady_clock::now() < quiet_until) {
    const Confirmations late = sink->Poll(milliseconds(100), true);
    EXPECT_EQ(late.batches, 0u);
    EXPECT_EQ(late.failure.kind, HandlerResult::Kind::kSuccess) << late.failure.message;
  }

  EXPECT_EQ(DeliverFrom(*sink, 2 + outcome.confirmed, 8), 8u);
  const auto records = testing::ConsumeWithKcat(cluster.bootstrap_servers(), "changes");
  EXPECT_EQ(LastCopies(records), ExpectedIdsByKey(8))
      << "every change present and, per key, the last copies in log order (the last one the newest)";
}

TEST(KafkaPipelineTest, AProducerFailedMidWindowIsReplacedAndASendFromTheFirstUnconfirmedLosesNothing) {
  KafkaMockCluster cluster({"changes:3"});
  auto sink = MakeSink(cluster, milliseconds(5000));
  ASSERT_EQ(DeliverFrom(*sink, 0, 1), 1u);
  cluster.Command("push-errors 1 " + std::to_string(kOutOfOrderSequenceNumber));
  const Outcome outcome = SendThenPoll(*sink, 1, 6);
  ASSERT_EQ(outcome.failure.kind, HandlerResult::Kind::kRetry) << outcome.failure.message;
  // From Poll: "a new producer sends the batch again"; from a Send that met the failed producer:
  // librdkafka's "previous fatal error", and the next Send starts a new producer.
  EXPECT_TRUE(outcome.failure.message.find("a new producer") != std::string::npos ||
              outcome.failure.message.find("fatal error") != std::string::npos)
      << outcome.failure.message;
  EXPECT_LT(outcome.confirmed, 5u);

  EXPECT_EQ(DeliverFrom(*sink, 1 + outcome.confirmed, 8), 8u);
  const auto records = testing::ConsumeWithKcat(cluster.bootstrap_servers(), "changes");
  EXPECT_EQ(LastCopies(records), ExpectedIdsByKey(8));
}

TEST(KafkaPipelineTest, ARefusedTopicIsFatal) {
  KafkaMockCluster cluster({"changes:3"});
  cluster.Command("push-errors 100 " + std::to_string(kTopicAuthorizationFailed));
  auto sink = MakeSink(cluster, milliseconds(10000));
  const Outcome outcome = SendThenPoll(*sink, 0, 2);
  EXPECT_EQ(outcome.confirmed, 0u);
  EXPECT_EQ(outcome.failure.kind, HandlerResult::Kind::kFatal) << outcome.failure.message;
  // Refused in a delivery report, or at once when librdkafka already knows the topic is refused.
  EXPECT_NE(outcome.failure.message.find("to topic changes"), std::string::npos) << outcome.failure.message;
  EXPECT_NE(outcome.failure.message.find("Broker: Topic authorization failed"), std::string::npos)
      << outcome.failure.message;

  // The engine stops here; were it to send again, librdkafka now refuses the records outright
  // (the topic has no partitions for us), which must be a failure and not a crash.
  const HandlerResult again = sink->Send(MakeBatch(2));
  EXPECT_NE(again.kind, HandlerResult::Kind::kSuccess) << "refused: " << again.message;
}

}  // namespace
}  // namespace sqlite_cdc::sinks
