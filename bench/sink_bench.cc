// Sinks against local servers: batches of 256 changes into the HTTP sink (signed, keep-alive)
// against a loopback receiver, beside the floor of posting the same bytes with a bare kept-alive
// client; into the S3 archive against s3rver, beside bare PUTs of the same bytes; and into
// librdkafka's mock cluster, beside a bare producer with the same guarantees sending the same records.
#include <cstdlib>
#include <filesystem>
#include <variant>

#include "bare_producer.h"
#include "bench_db.h"
#include "sinks/http/http_sink.h"
#include "sinks/kafka/kafka_sink.h"
#include "sinks/net/http_client.h"
#include "sinks/s3/archive_layout.h"
#include "sinks/s3/gzip.h"
#include "sinks/s3/s3_archive_sink.h"
#include "support/http_test_server.h"
#include "support/kafka_mock_cluster.h"
#include "support/s3_test_server.h"

namespace sqlite_cdc::bench {
namespace {

constexpr size_t kBatchSize = 256;

Changes SyntheticBatch(int64_t first_id) {
  Changes batch;
  for (size_t i = 0; i < kBatchSize; ++i) {
    Change change;
    change.id = first_id + static_cast<int64_t>(i);
    change.table = "items";
    change.timestamp = "2026-11-23T10:00:00.000Z";
    change.operation = Operation::kUpdate;
    change.key = "{\"id\":" + std::to_string(change.id) + "}";
    change.before = "{\"id\":" + std::to_string(change.id) + ",\"n\":1,\"note\":\"before the change\"}";
    change.after = "{\"id\":" + std::to_string(change.id) + ",\"n\":2,\"note\":\"after the change\"}";
    batch.push_back(std::move(change));
  }
  return batch;
}

std::string BatchBody(const Changes& batch) {
  std::string body = "{\"changes\":[";
  for (size_t i = 0; i < batch.size(); ++i) {
    if (i > 0) body += ',';
    AppendEventJson(body, batch[i]);
  }
  return body + "]}";
}

void Report(benchmark::State& state, int64_t batches) {
  state.counters["batches_per_s"] = benchmark::Counter(static_cast<double>(batches), benchmark::Counter::kIsRate);
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(batches * kBatchSize), benchmark::Counter::kIsRate);
}

// Hands `sink` a fresh batch per iteration; every one must be accepted.
void DeliverBatches(benchmark::State& state, ChangesHandler& sink) {
  int64_t batches = 0;
  for (auto _ : state) {
    if (sink.Handle(SyntheticBatch(batches * kBatchSize + 1)).kind != HandlerResult::Kind::kSuccess) {
      state.SkipWithError("a batch failed");
      return;
    }
    ++batches;
  }
  Report(state, batches);
}

void HttpSinkBatches(benchmark::State& state) {
  testing::HttpTestServer receiver;
  setenv("CDC_BENCH_WEBHOOK_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", 1);
  sinks::HttpSinkOptions options;
  options.secret_env = "CDC_BENCH_WEBHOOK_SECRET";
  sinks::HttpSinkConfig config;
  if (!sinks::ResolveHttpSinkConfig(receiver.Url("/hook"), options, &config).ok()) {
    state.SkipWithError("bad sink configuration");
    return;
  }
  sinks::HttpSink sink(std::move(config));
  DeliverBatches(state, sink);
  state.counters["connections"] = receiver.connections();
}

void HttpFloor(benchmark::State& state) {
  testing::HttpTestServer receiver;
  sinks::HttpClient client(sinks::HttpEndpoint{false, "127.0.0.1", std::to_string(receiver.port())},
                           std::chrono::seconds(10), sinks::TlsOptions{});
  sinks::HttpRequest request;
  request.target = "/hook";
  request.headers = {{"Content-Type", "application/json"}};
  int64_t batches = 0;
  for (auto _ : state) {
    request.body = BatchBody(SyntheticBatch(batches * kBatchSize + 1));
    if (!std::holds_alternative<sinks::HttpResponse>(client.Send(request))) {
      state.SkipWithError("a request failed");
      return;
    }
    ++batches;
  }
  Report(state, batches);
  state.counters["connections"] = receiver.connections();
}

bool S3ServerAvailable() {
  return std::filesystem::exists(std::string(CDC_SOURCE_DIR) + "/tests/node/node_modules/s3rver");
}

void S3ArchiveBatches(benchmark::State& state) {
  testing::S3TestServer server("bench");
  sinks::S3Location location;
  if (!sinks::ParseS3Url("s3://bench/archive?endpoint=" + server.endpoint(), &location).ok()) {
    state.SkipWithError("the s3rver endpoint is not a valid S3 URL");
    return;
  }
  // One batch per Handle call: one object per batch, stored before the next.
  sinks::S3ArchiveSink sink(
      [&] {
        return std::make_unique<sinks::S3Client>(location, sinks::AwsCredentials{"S3RVER", "S3RVER", ""},
                                                 std::chrono::seconds(10));
      },
      sinks::S3SinkOptions{});
  DeliverBatches(state, sink);
}

// Unsigned PUTs of the same gzipped bytes: what the S3 server itself costs.
void S3Floor(benchmark::State& state) {
  testing::S3TestServer server("bench");
  sinks::HttpClient client(
      sinks::HttpEndpoint{false, "127.0.0.1", server.endpoint().substr(server.endpoint().rfind(':') + 1)},
      std::chrono::seconds(10), sinks::TlsOptions{});
  sinks::HttpRequest request;
  request.method = "PUT";
  int64_t batches = 0;
  for (auto _ : state) {
    request.target = "/bench/floor/" + std::to_string(batches) + ".ndjson.gz";
    request.body = sinks::Gzip(sinks::EventLines(SyntheticBatch(batches * kBatchSize + 1)));
    const auto result = client.Send(request);
    if (!std::holds_alternative<sinks::HttpResponse>(result) || std::get<sinks::HttpResponse>(result).status != 200) {
      state.SkipWithError("a PUT failed");
      return;
    }
    ++batches;
  }
  Report(state, batches);
}

void KafkaSinkBatches(benchmark::State& state) {
  testing::KafkaMockCluster cluster({"bench:4"});
  sinks::KafkaSinkConfig config;
  std::unique_ptr<sinks::KafkaSink> sink;
  if (!sinks::ResolveKafkaSinkConfig(cluster.Url("bench"), {}, "bench.db", &config).ok() ||
      !sinks::KafkaSink::Create(std::move(config), &sink).ok()) {
    state.SkipWithError("bad sink configuration");
    return;
  }
  DeliverBatches(state, *sink);
}

// The same records from a bare producer with the same guarantees and librdkafka's defaults,
// polling for delivery reports as the sink does until the batch is confirmed.
void KafkaFloor(benchmark::State& state) {
  testing::KafkaMockCluster cluster({"bench:4"});
  int64_t confirmed = 0;
  const BareProducer producer = MakeBareProducer(cluster.bootstrap_servers(), &confirmed);
  int64_t batches = 0;
  for (auto _ : state) {
    for (const Change& change : SyntheticBatch(batches * kBatchSize + 1)) {
      std::string value;
      AppendEventJson(value, change);
      rd_kafka_producev(producer.get(), RD_KAFKA_V_TOPIC("bench"), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                        RD_KAFKA_V_KEY(change.key.data(), change.key.size()),
                        RD_KAFKA_V_VALUE(value.data(), value.size()), RD_KAFKA_V_END);
    }
    ++batches;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (confirmed < batches * static_cast<int64_t>(kBatchSize)) {
      if (std::chrono::steady_clock::now() > deadline) {
        state.SkipWithError("delivery reports missing");
        return;
      }
      rd_kafka_poll(producer.get(), 1);
    }
  }
  Report(state, batches);
}

const bool registered = [] {
  Register("sink/http/floor/256", 2000, HttpFloor);
  Register("sink/http/sink/256", 2000, HttpSinkBatches);
  Register("sink/kafka/floor/256", 300, KafkaFloor);
  Register("sink/kafka/sink/256", 300, KafkaSinkBatches);
  if (S3ServerAvailable()) {
    Register("sink/s3/floor/256", 300, S3Floor);
    Register("sink/s3/sink/256", 300, S3ArchiveBatches);
  }
  return true;
}();

}  // namespace
}  // namespace sqlite_cdc::bench
