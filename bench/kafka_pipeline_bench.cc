// Kafka at line rate: a backlog drained by the real engine through the Kafka sink into librdkafka's
// mock cluster, beside a bare producer with the same guarantees (idempotent, acks=all) sending the
// same records asynchronously into a cluster of the same shape, in the same run; and the latency
// from an application's commit to Kafka's acknowledgement of its record at a steady commit rate.

#include <algorithm>
#include <deque>
#include <mutex>
#include <thread>

#include "backlog.h"
#include "bare_producer.h"
#include "bench_db.h"
#include "ping_writer.h"
#include "sinks/kafka/kafka_sink.h"
#include "sqlite_cdc/engine.h"
#include "sqlite_cdc/engine_observer.h"
#include "support/kafka_mock_cluster.h"

namespace sqlite_cdc::bench {
namespace {

using std::chrono::milliseconds;

const Backlog& KafkaBacklog() {
  static const Backlog backlog(BacklogSize(100'000));
  return backlog;
}

void Report(benchmark::State& state, int64_t delivered, double seconds) {
  state.SetIterationTime(seconds);
  state.counters["events_per_s"] = static_cast<double>(delivered) / seconds;
  if (delivered != KafkaBacklog().changes()) state.SkipWithError("not every change was delivered");
}

// `exactly_once`: --exactly-once, a transaction per commit bound with its position record.
// `properties`: librdkafka's, as --kafka-property gives them.
std::unique_ptr<sinks::KafkaSink> MakeSink(const testing::KafkaMockCluster& cluster, bool exactly_once = false,
                                           const std::vector<std::string>& properties = {}) {
  sinks::KafkaSinkConfig config;
  std::unique_ptr<sinks::KafkaSink> sink;
  sinks::KafkaSinkOptions options;
  options.properties = properties;
  if (exactly_once) options.transactional_id = "bench-" + std::to_string(getpid());
  if (!sinks::ResolveKafkaSinkConfig(cluster.Url("bench"), options, "bench.db", &config, exactly_once).ok() ||
      !sinks::KafkaSink::Create(std::move(config), &sink).ok()) {
    return nullptr;
  }
  return sink;
}

// When the engine last saw a batch confirmed, and how many changes were.
class LastConfirmation : public EngineObserver {
 public:
  void OnBatchDelivered(const Changes& batch, std::chrono::nanoseconds) override {
    at = std::chrono::steady_clock::now();
    changes += static_cast<int64_t>(batch.size());
  }
  void OnHandlerFailure(bool) override {}
  std::chrono::steady_clock::time_point at;
  int64_t changes = 0;
};

// The engine draining a fresh copy of the backlog into the sink, `batch_size` changes a batch and at
// most `max_in_flight` changes unconfirmed. Timed to the last confirmation from Kafka: the rate of
// delivery (events_per_s), set beside the bare producer's; the drain's end (DrainOnce's return) comes
// after the log's deletions, paced for the application (EngineOptions::ack_lock_share), and is
// reported as drain_s.
void DrainIntoKafka(benchmark::State& state, size_t batch_size, size_t max_in_flight, bool exactly_once = false,
                    const std::vector<std::string>& properties = {}) {
  // The position topic made with the cluster: the mock cluster does not know CreateTopics.
  testing::KafkaMockCluster cluster({"bench:4", "sqlite-cdc-positions:1"});
  auto sink = MakeSink(cluster, exactly_once, properties);
  if (!sink) {
    state.SkipWithError("bad sink configuration");
    return;
  }
  testing::TempDir dir;
  for (auto _ : state) {
    const std::string path = KafkaBacklog().CopyTo(dir);
    EngineOptions options;
    options.capture.db_path = path;
    options.batch_size = batch_size;
    options.pipeline.max_changes = max_in_flight;
    LastConfirmation confirmed;
    options.observer = &confirmed;
    std::unique_ptr<Engine> engine;
    if (!Engine::Open(options, &engine).ok()) {
      state.SkipWithError("the engine failed to open");
      return;
    }
    const auto start = std::chrono::steady_clock::now();
    if (!engine->DrainOnce(*sink).ok()) {
      state.SkipWithError("the drain failed");
      return;
    }
    const double drain_seconds = SecondsSince(start);
    engine.reset();
    Database db = Database::OpenExisting(path);
    const int64_t left = db.QueryInt(  // the engine keeps its highest delivered row in the log
        "SELECT count(*) FROM __cdc_log WHERE id > (SELECT coalesce(max(last_deleted_id), 0) FROM __cdc_log_state)");
    if (left != 0) state.SkipWithError("the drain left delivered changes in the log");
    Report(state, confirmed.changes, std::chrono::duration<double>(confirmed.at - start).count());
    state.counters["drain_s"] = drain_seconds;
  }
}

// The backlog's changes as the engine reads them, read before timing.
Changes BacklogChanges() {
  testing::TempDir dir;
  Database db = Database::OpenExisting(KafkaBacklog().CopyTo(dir));
  Statement select(db, "SELECT id, timestamp, tablename, operation, key, before, after FROM __cdc_log ORDER BY id");
  Changes changes;
  while (select.Step()) {
    Change& change = changes.emplace_back();
    change.id = select.Int(0);
    change.timestamp = select.Text(1);
    change.table = select.Text(2);
    const std::string_view operation = select.Text(3);
    change.operation = operation == "INSERT"   ? Operation::kInsert
                       : operation == "UPDATE" ? Operation::kUpdate
                                               : Operation::kDelete;
    change.key = select.Text(4);
    if (!select.IsNull(5)) change.before = std::string(select.Text(5));
    if (!select.IsNull(6)) change.after = std::string(select.Text(6));
  }
  return changes;
}

// The sink alone, without the engine: a loop that sends batches of `batch_size` while fewer than
// the engine's default bound of changes are in flight, and polls between sends, as the engine does.
void SendAndPoll(benchmark::State& state, size_t batch_size) {
  std::vector<Changes> batches;
  for (const Change& change : BacklogChanges()) {
    if (batches.empty() || batches.back().size() == batch_size) batches.emplace_back();
    batches.back().push_back(change);
  }
  testing::KafkaMockCluster cluster({"bench:4"});
  auto sink = MakeSink(cluster);
  if (!sink) {
    state.SkipWithError("bad sink configuration");
    return;
  }
  const size_t window = PipelineOptions{}.max_changes / batch_size;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    size_t sent = 0, confirmed = 0;
    while (confirmed < batches.size()) {
      const bool more = sent < batches.size() && sent - confirmed < window;
      if (more && sink->Send(batches[sent]).kind != HandlerResult::Kind::kSuccess) break;
      sent += more ? 1 : 0;
      const Confirmations got = sink->Poll(milliseconds(more ? 0 : 100), !more);
      if (got.failure.kind != HandlerResult::Kind::kSuccess) break;
      confirmed += got.batches;
    }
    const double seconds = SecondsSince(start);
    int64_t delivered = 0;
    for (size_t i = 0; i < confirmed; ++i) delivered += static_cast<int64_t>(batches[i].size());
    Report(state, delivered, seconds);
  }
}

// One of the backlog's records as the sink makes it: key, change event JSON, and the values of its
// three headers (table, operation, id).
struct Record {
  std::string key, value, table, operation, id;
};

// The backlog's records, made before timing.
std::vector<Record> BacklogRecords() {
  std::vector<Record> records;
  for (Change& change : BacklogChanges()) {
    std::string value;
    AppendEventJson(value, change);
    records.push_back({std::move(change.key), std::move(value), change.table,
                       std::string(OperationName(change.operation)), std::to_string(change.id)});
  }
  return records;
}

// The bare producer of sink_bench.cc's KafkaFloor (same settings, same calls), producing every
// record without waiting (on a full queue it serves reports until there is room), then serving
// reports until all are confirmed. `with_headers`: the same records the sink produces, with their
// three headers (a header list per record, as the sink builds it); without, key and value only.
void KafkaProducerFloor(benchmark::State& state, bool with_headers) {
  auto records = BacklogRecords();  // non-const: RD_KAFKA_V_VALUE takes a void*
  testing::KafkaMockCluster cluster({"bench:4"});
  int64_t confirmed = 0;
  const BareProducer producer = MakeBareProducer(cluster.bootstrap_servers(), &confirmed);
  for (auto _ : state) {
    confirmed = 0;
    const auto start = std::chrono::steady_clock::now();
    for (Record& record : records) {
      rd_kafka_headers_t* headers = nullptr;
      if (with_headers) {
        headers = rd_kafka_headers_new(3);
        rd_kafka_header_add(headers, "table", -1, record.table.data(), static_cast<ssize_t>(record.table.size()));
        rd_kafka_header_add(headers, "operation", -1, record.operation.data(),
                            static_cast<ssize_t>(record.operation.size()));
        rd_kafka_header_add(headers, "id", -1, record.id.data(), static_cast<ssize_t>(record.id.size()));
      }
      rd_kafka_resp_err_t error;
      while ((error = with_headers ? rd_kafka_producev(producer.get(), RD_KAFKA_V_TOPIC("bench"),
                                                       RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                                       RD_KAFKA_V_KEY(record.key.data(), record.key.size()),
                                                       RD_KAFKA_V_VALUE(record.value.data(), record.value.size()),
                                                       RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_END)
                                   : rd_kafka_producev(producer.get(), RD_KAFKA_V_TOPIC("bench"),
                                                       RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                                       RD_KAFKA_V_KEY(record.key.data(), record.key.size()),
                                                       RD_KAFKA_V_VALUE(record.value.data(), record.value.size()),
                                                       RD_KAFKA_V_END)) == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        rd_kafka_poll(producer.get(), 1);
      }
      if (error && headers) rd_kafka_headers_destroy(headers);  // refused: still ours
      rd_kafka_poll(producer.get(), 0);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (confirmed < static_cast<int64_t>(records.size()) && std::chrono::steady_clock::now() < deadline) {
      rd_kafka_poll(producer.get(), 1);
    }
    Report(state, confirmed, SecondsSince(start));
  }
}

// Passes everything to the Kafka sink, and when a batch is confirmed (every record acknowledged by
// the cluster, acks=all) takes, for each of its changes, the clock minus the commit time its row
// carries.
class AcknowledgementTimer : public PipelinedHandler {
 public:
  explicit AcknowledgementTimer(PipelinedHandler& sink) : sink_(sink) {}

  HandlerResult Send(const Changes& batch) override {
    HandlerResult result = sink_.Send(batch);
    if (result.kind != HandlerResult::Kind::kSuccess) {
      in_flight_.clear();
      return result;
    }
    std::vector<int64_t>& committed = in_flight_.emplace_back();
    for (const Change& change : batch) {
      if (const auto commit = PingCommitNanos(change)) committed.push_back(*commit);
    }
    return result;
  }
  Confirmations Poll(milliseconds wait, bool flush) override {
    Confirmations confirmed = sink_.Poll(wait, flush);
    const int64_t now = MonotonicNanos();
    std::lock_guard lock(mutex_);
    for (size_t i = 0; i < confirmed.batches; ++i) {
      for (int64_t committed : in_flight_.front()) latencies_us_.push_back((now - committed) / 1e3);
      in_flight_.pop_front();
    }
    if (confirmed.failure.kind != HandlerResult::Kind::kSuccess) in_flight_.clear();
    return confirmed;
  }
  HandlerResult OnSchema(const WatchedSchema& schema) override { return sink_.OnSchema(schema); }
  std::vector<double> Latencies() {
    std::lock_guard lock(mutex_);
    return latencies_us_;
  }

 private:
  PipelinedHandler& sink_;
  std::deque<std::vector<int64_t>> in_flight_;  // the commit times of each batch sent, oldest first
  std::mutex mutex_;
  std::vector<double> latencies_us_;
};

// As latency_bench.cc's commit-to-handler measure, to Kafka's acknowledgement instead of the handler.
void CommitToKafka(benchmark::State& state, int rate) {
  testing::TempDir dir;
  // Before librdkafka's and the engine's threads exist.
  PingWriterProcess writer(dir.File("latency.db"), rate * 3, rate);  // three seconds of commits
  if (!writer.ok()) {
    state.SkipWithError("setup failed");
    return;
  }
  testing::KafkaMockCluster cluster({"bench:4"});
  auto sink = MakeSink(cluster);
  EngineOptions options;
  options.capture = writer.capture();
  std::unique_ptr<Engine> engine;
  if (!sink || !Engine::Open(options, &engine).ok()) {
    state.SkipWithError("the sink or the engine failed to open");
    return;
  }
  AcknowledgementTimer timer(*sink);
  MeasureCommitLatencies(
      state, *engine, timer, writer, [&] { return timer.Latencies(); }, "not every commit was acknowledged by Kafka");
}

const bool registered = [] {
  Register(
      "kafka/backlog/floor/producer", 1, [](auto& state) { KafkaProducerFloor(state, false); },
      /*manual_time=*/true);
  Register(
      "kafka/backlog/floor/producer-with-headers", 1, [](auto& state) { KafkaProducerFloor(state, true); },
      /*manual_time=*/true);
  // The engine's default bound on changes in flight, and a quarter of it: a smaller window keeps the
  // changes in flight (the engine's and librdkafka's copies) in cache and malloc's reach.
  const size_t default_window = PipelineOptions{}.max_changes;
  for (const size_t batch_size : {256, 1000}) {
    Register(
        "kafka/backlog/engine/" + std::to_string(batch_size), 1,
        [=](benchmark::State& state) { DrainIntoKafka(state, batch_size, default_window); },
        /*manual_time=*/true);
  }
  // The sink waits 1 ms for more records (linger.ms, for latency); the bare producer librdkafka's
  // default 5 ms, which this row gives the sink too.
  Register(
      "kafka/backlog/engine-linger-5/256", 1,
      [=](benchmark::State& state) { DrainIntoKafka(state, 256, default_window, false, {"linger.ms=5"}); },
      /*manual_time=*/true);
  Register(
      "kafka/backlog/engine-window-16384/256", 1, [](benchmark::State& state) { DrainIntoKafka(state, 256, 16384); },
      /*manual_time=*/true);
  // --exactly-once beside the at-least-once rows above: one transaction per 100 ms or 16384 changes.
  for (const size_t batch_size : {256, 1000}) {
    Register(
        "kafka/backlog/engine-exactly-once/" + std::to_string(batch_size), 1,
        [=](benchmark::State& state) { DrainIntoKafka(state, batch_size, default_window, /*exactly_once=*/true); },
        /*manual_time=*/true);
  }
  Register(
      "kafka/backlog/sink-alone/256", 1, [](benchmark::State& state) { SendAndPoll(state, 256); },
      /*manual_time=*/true);
  Register("kafka/latency/commit-to-ack/200", 1, [](benchmark::State& state) { CommitToKafka(state, 200); });
  return true;
}();

}  // namespace
}  // namespace sqlite_cdc::bench
