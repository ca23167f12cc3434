#include "sinks/sink_harness.h"

#include <fcntl.h>
#include <stdio_ext.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "sinks/s3/gzip.h"
#include "support/http_test_server.h"
#include "support/kafka_mock_cluster.h"
#include "support/postgres_server.h"
#include "support/process.h"
#include "support/s3_test_server.h"
#include "support/temp_dir.h"

namespace sqlite_cdc::testing {
namespace {

using std::chrono::milliseconds;

DeliveredChange FromEvent(const nlohmann::json& event) {
  return {event.at("id").get<int64_t>(), event.at("timestamp"), event.at("table"), event.at("operation")};
}

std::vector<DeliveredChange> FromEventLines(const std::string& text) {
  std::vector<DeliveredChange> changes;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) changes.push_back(FromEvent(nlohmann::json::parse(line)));
  }
  return changes;
}

// Points file descriptor 1 at `path` while it lives, so that what a sink writes to stdout lands
// there and not among the test runner's own output.
class StdoutRedirect {
 public:
  explicit StdoutRedirect(const std::string& path) {
    std::fflush(stdout);
    saved_ = dup(STDOUT_FILENO);
    const int target = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (saved_ < 0 || target < 0) throw std::runtime_error("cannot redirect stdout to " + path);
    dup2(target, STDOUT_FILENO);
    close(target);
  }
  StdoutRedirect(const StdoutRedirect&) = delete;
  StdoutRedirect& operator=(const StdoutRedirect&) = delete;
  ~StdoutRedirect() {
    // What a failed write left in stdio's buffer must not reach the runner's stdout afterwards.
    std::fflush(stdout);
    __fpurge(stdout);
    std::clearerr(stdout);
    dup2(saved_, STDOUT_FILENO);
    close(saved_);
  }

 private:
  int saved_ = -1;
};

// `-` and `json`: stdout, redirected to a file (or to /dev/full, which refuses every write).
class StreamHarness : public SinkHarness {
 public:
  explicit StreamHarness(std::string output) : output_(std::move(output)), target_(dir_.File("stdout.txt")) {}

  std::optional<std::string> Prepare(Destination state) override {
    if (state == Destination::kUnreachable) {
      return "a stream has no transient failure: a write lands or fails for good (sinks/stream_writer.h)";
    }
    if (state == Destination::kRefusing) target_ = "/dev/full";
    return std::nullopt;
  }
  sinks::OutputOptions Options() override {
    sinks::OutputOptions options;
    options.output = output_;
    return options;
  }
  HandlerResult Call(const std::function<HandlerResult()>& call) override {
    StdoutRedirect redirect(target_);
    return call();
  }
  bool CarriesIds() const override { return output_ == "json"; }
  std::vector<DeliveredChange> Delivered() override {
    const std::string text = ReadFile(target_);
    if (output_ == "json") return FromEventLines(text);
    // "<timestamp>: <table> <operation>", possibly followed by more words.
    std::vector<DeliveredChange> changes;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      const size_t colon = line.find(": ");
      if (colon == std::string::npos) throw std::runtime_error("not a `-` line: " + line);
      DeliveredChange change;
      change.timestamp = line.substr(0, colon);
      std::istringstream words(line.substr(colon + 2));
      words >> change.table >> change.operation;
      changes.push_back(std::move(change));
    }
    return changes;
  }

 private:
  std::string output_;
  TempDir dir_;
  std::string target_;
};

// http://: a receiver on loopback that accepts (2xx), refuses (400), or closes every connection
// without an answer while it is "down".
class HttpHarness : public SinkHarness {
 public:
  HttpHarness()
      : server_([this](const ReceivedRequest& request, size_t) {
          if (down_) return Reply::Failure(Reply::Kind::kCloseQuietly);
          if (refusing_) return Reply::Status(400, R"({"error":"unknown field"})");
          std::lock_guard lock(mutex_);
          accepted_.push_back(request.body);
          return Reply::Status(204);
        }) {}

  std::optional<std::string> Prepare(Destination state) override {
    down_ = state == Destination::kUnreachable;
    refusing_ = state == Destination::kRefusing;
    return std::nullopt;
  }
  void GoDown() override { down_ = true; }
  void Recover() override { down_ = false; }
  sinks::OutputOptions Options() override {
    sinks::OutputOptions options;
    options.output = server_.Url("/contract");
    options.http.timeout = milliseconds(2000);
    return options;
  }
  std::vector<DeliveredChange> Delivered() override {
    std::lock_guard lock(mutex_);
    std::vector<DeliveredChange> changes;
    for (const std::string& body : accepted_) {
      const auto request = nlohmann::json::parse(body);  // kept: the loop below reads into it
      for (const auto& event : request.at("changes")) changes.push_back(FromEvent(event));
    }
    return changes;
  }

 private:
  // Shared with the server's thread, which records a body as it decides to accept it (the
  // request log marks a request answered only after the client may already have read the answer).
  std::atomic<bool> down_{false}, refusing_{false};
  std::mutex mutex_;
  std::vector<std::string> accepted_;
  HttpTestServer server_;
};

// kafka://: librdkafka's mock cluster, one partition so that a consumer reads every change in the
// order produced; read back by kcat.
class KafkaHarness : public SinkHarness {
 public:
  KafkaHarness() : cluster_({"changes:1"}, 1) {}

  std::optional<std::string> Prepare(Destination state) override {
    if (state == Destination::kUnreachable) cluster_.Command("broker-down -1");
    if (state == Destination::kUnreachable || state == Destination::kGoingDown) timeout_ = milliseconds(300);
    if (state == Destination::kRefusing) cluster_.Command("push-errors 100 29");  // TOPIC_AUTHORIZATION_FAILED
    return std::nullopt;
  }
  void GoDown() override { cluster_.Command("broker-down -1"); }
  void Recover() override { cluster_.Command("broker-up -1"); }
  sinks::OutputOptions Options() override {
    sinks::OutputOptions options;
    options.output = cluster_.Url("changes");
    options.kafka.timeout = timeout_;
    // Back on its feet quickly once the brokers are: the test then needs few retries.
    options.kafka.properties = {"reconnect.backoff.ms=10", "reconnect.backoff.max.ms=100"};
    return options;
  }
  std::vector<DeliveredChange> Delivered() override {
    std::vector<DeliveredChange> changes;
    for (const KafkaRecord& record : ConsumeWithKcat(cluster_.bootstrap_servers(), "changes")) {
      if (record.value) changes.push_back(FromEvent(nlohmann::json::parse(*record.value)));
    }
    return changes;
  }

 private:
  KafkaMockCluster cluster_;
  milliseconds timeout_{10000};
};

// s3://: s3rver on loopback, stopped while "unreachable"; a bucket that does not exist refuses for
// good. Read back as restore reads the archive: the parts of complete snapshots, then change
// objects, in key order.
class S3Harness : public SinkHarness {
 public:
  S3Harness() : server_("cdc-contract") {
    // The factory reads credentials from the environment; s3rver takes any.
    setenv("AWS_ACCESS_KEY_ID", "S3RVER", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "S3RVER", 1);
  }

  std::optional<std::string> Prepare(Destination state) override {
    if (state == Destination::kUnreachable) server_.Stop();
    if (state == Destination::kRefusing) bucket_ = "no-such-bucket";
    return std::nullopt;
  }
  void GoDown() override { server_.Stop(); }
  void Recover() override { server_.Start(); }
  sinks::OutputOptions Options() override {
    sinks::OutputOptions options;
    options.output = "s3://" + bucket_ + "/contract?endpoint=" + server_.endpoint();
    options.http.timeout = milliseconds(2000);
    return options;
  }
  std::vector<DeliveredChange> Delivered() override {
    std::vector<DeliveredChange> changes;
    const auto read = [&](const std::string& key) {
      const auto text = sinks::Gunzip(server_.Object(key));
      if (!text) throw std::runtime_error("not gzip: " + key);
      for (DeliveredChange& change : FromEventLines(*text)) changes.push_back(std::move(change));
    };
    // A snapshot counts once its manifest is there (OnSnapshotComplete wrote it), as for restore.
    const std::vector<std::string> snapshot_keys = server_.Keys("contract/snapshots/");
    for (const std::string& key : snapshot_keys) {
      const std::string run = key.substr(0, key.rfind('/') + 1);
      if (key.ends_with(".ndjson.gz") &&
          std::find(snapshot_keys.begin(), snapshot_keys.end(), run + "complete.json") != snapshot_keys.end()) {
        read(key);
      }
    }
    for (const std::string& key : server_.Keys("contract/changes/")) read(key);
    return changes;
  }

 private:
  S3TestServer server_;
  std::string bucket_ = "cdc-contract";
};

// kafka:// with --exactly-once: the mock cluster with the position topic. Only the contract of
// sinks that keep a position is run over it (librdkafka 2.0's mock cluster shows aborted records to
// read_committed consumers, so what arrived cannot be read back as a consumer would).
class KafkaExactlyOnceHarness : public SinkHarness {
 public:
  KafkaExactlyOnceHarness() : cluster_({"changes:1", "sqlite-cdc-positions:1"}, 1) {}

  std::optional<std::string> Prepare(Destination state) override {
    if (state == Destination::kHealthy) return std::nullopt;
    return "the failure cases of Kafka are the at-least-once sink's (kafka)";
  }
  sinks::OutputOptions Options() override {
    sinks::OutputOptions options;
    options.output = cluster_.Url("changes");
    options.exactly_once = true;
    options.kafka.transactional_id = "sqlite-cdc-contract";
    options.kafka.timeout = milliseconds(10000);
    return options;
  }
  std::vector<DeliveredChange> Delivered() override {
    throw std::logic_error("read_committed cannot be read back from the mock cluster");
  }

 private:
  KafkaMockCluster cluster_;
};

// sqlite://: a replica file in a temporary folder. It holds rows, not changes: only the contract
// of sinks that keep a position applies to it.
class ReplicaHarness : public SinkHarness {
 public:
  std::optional<std::string> Prepare(Destination state) override {
    if (state == Destination::kHealthy) return std::nullopt;
    return "a replica file is never unreachable, and whatever it refuses it refuses for good";
  }
  sinks::OutputOptions Options() override {
    sinks::OutputOptions options;
    options.output = "sqlite://" + dir_.File("replica.db");
    return options;
  }
  std::vector<DeliveredChange> Delivered() override {
    throw std::logic_error("a replica holds rows, not the changes it was sent");
  }

 private:
  TempDir dir_;
};

// postgres://: a schema of its own on a PostgreSQL server shared by the process's tests (started on
// first use). It holds rows, not changes: only the contract of sinks that keep a position applies.
class PostgresHarness : public SinkHarness {
 public:
  PostgresHarness() : schema_(Server().NewSchema()) {}

  std::optional<std::string> Prepare(Destination state) override {
    if (state == Destination::kHealthy) return std::nullopt;
    return "the replica's failures are tested against a real server in tests/cli/postgres_replica_test.cc";
  }
  sinks::OutputOptions Options() override {
    sinks::OutputOptions options;
    options.output = Server().Url("cdc", schema_);
    return options;
  }
  std::vector<DeliveredChange> Delivered() override {
    throw std::logic_error("a replica holds rows, not the changes it was sent");
  }

 private:
  static PostgresServer& Server() {
    static PostgresServer server;
    return server;
  }
  std::string schema_;
};

}  // namespace

std::unique_ptr<SinkHarness> MakeSinkHarness(const std::string& output) {
  if (output == "-" || output == "json") return std::make_unique<StreamHarness>(output);
  if (output == "http") return std::make_unique<HttpHarness>();
  if (output == "kafka") return std::make_unique<KafkaHarness>();
  if (output == "s3") return std::make_unique<S3Harness>();
  if (output == "sqlite") return std::make_unique<ReplicaHarness>();
  if (output == "postgres") return std::make_unique<PostgresHarness>();
  if (output == "kafka-exactly-once") return std::make_unique<KafkaExactlyOnceHarness>();
  throw std::invalid_argument("no harness for output " + output);
}

}  // namespace sqlite_cdc::testing
