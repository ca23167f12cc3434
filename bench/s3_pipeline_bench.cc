// The S3 archive cut by time and size (issue #16), against s3rver on loopback:
// - steady: the real `sqlite-cdc --cdc --output s3://...` while a writer commits single-row INSERTs
//   at 2,000/s for 5 s; counted: the change objects it stored (and so the PUTs per second). Beside
//   it the same with one batch in flight (`--max-in-flight 1`: each batch an object, stored before
//   the next is read, as before #16), and the sink driven directly (Send, Poll) at the same rate.
// - backlog: the real `sqlite-cdc --drain` emptying a 100,000-change backlog into the archive,
//   beside `--output json` to /dev/null, one batch in flight, and objects of up to 100,000 changes;
//   and the sink alone, pipelined (Send, Poll) beside one batch at a time (Handle).
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <thread>
#include <variant>

#include "backlog.h"
#include "bench_db.h"
#include "sinks/net/http_client.h"
#include "sinks/s3/archive_layout.h"
#include "sinks/s3/s3_archive_sink.h"
#include "sinks/s3/sigv4.h"
#include "support/process.h"
#include "support/s3_test_server.h"
#include "support/temp_dir.h"

namespace sqlite_cdc::bench {
namespace {

using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

constexpr int kSteadyRate = 2000;  // changes per second
constexpr int kSteadySeconds = 5;
constexpr int64_t kBacklogChanges = 100000;

bool S3ServerAvailable() {
  return std::filesystem::exists(std::string(CDC_SOURCE_DIR) + "/tests/node/node_modules/s3rver");
}

void UseS3rverCredentials() {
  setenv("AWS_ACCESS_KEY_ID", "S3RVER", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "S3RVER", 1);
}

std::string ArchiveUrl(const testing::S3TestServer& server, const std::string& prefix) {
  return "s3://bench/" + prefix + "?endpoint=" + server.endpoint();
}

// The names of the change objects under `prefix`, relative to it, whose first id is at most
// `id_bound`. s3rver fails (500 InternalError) on a listing of more than 1,000 keys on current Node
// (it cannot make the continuation token), so this lists by ranges of 100 first ids.
std::vector<std::string> ChangeObjects(const testing::S3TestServer& server, const std::string& prefix,
                                       int64_t id_bound) {
  const std::string endpoint = server.endpoint();
  sinks::HttpClient client(sinks::HttpEndpoint{false, "127.0.0.1", endpoint.substr(endpoint.rfind(':') + 1)},
                           std::chrono::seconds(10), sinks::TlsOptions{});
  std::vector<std::string> names;
  for (int64_t hundreds = 0; hundreds * 100 <= id_bound; ++hundreds) {
    char digits[24];
    std::snprintf(digits, sizeof digits, "%018lld", static_cast<long long>(hundreds));
    sinks::HttpRequest request;
    request.method = "GET";
    request.target = "/bench?list-type=2&prefix=" + sinks::UriEncode(prefix + "/changes/" + digits, true);
    const sinks::HttpResult result = client.Send(request);
    const auto* response = std::get_if<sinks::HttpResponse>(&result);
    if (!response || response->status != 200) {
      std::fprintf(stderr, "listing the archive failed\n");
      return {};
    }
    const std::string& body = response->body;
    for (size_t at = body.find("<Key>"); at != std::string::npos; at = body.find("<Key>", at)) {
      const size_t start = at + 5 + prefix.size() + 1;
      at = body.find("</Key>", at);
      names.push_back(body.substr(start, at - start));
    }
  }
  return names;
}

int64_t ObjectsUnder(const testing::S3TestServer& server, const std::string& prefix) {
  return static_cast<int64_t>(ChangeObjects(server, prefix, kSteadyRate * kSteadySeconds).size());
}

// The highest id any stored change object ends at: with contiguous objects from id 1, what the
// archive holds.
int64_t LastArchivedId(const testing::S3TestServer& server, const std::string& prefix) {
  int64_t last = 0;
  for (const std::string& name : ChangeObjects(server, prefix, kSteadyRate * kSteadySeconds)) {
    if (const auto range = sinks::ParseChangesObjectName(name)) last = std::max(last, range->second);
  }
  return last;
}

// Rows still in the log beyond the one the engine keeps as its position.
int64_t Undelivered(const std::string& path) {
  Database db = Database::OpenExisting(path);
  return db.QueryInt(
      "SELECT count(*) FROM __cdc_log WHERE id > (SELECT coalesce(max(last_deleted_id), 0) FROM __cdc_log_state)");
}

// Commits `count` single-row INSERTs at `rate` per second on a connection of its own.
void WriteSteadily(const std::string& path, int count, int rate) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_busy_timeout(db, 5000);
  sqlite3_exec(db, "PRAGMA synchronous=NORMAL", nullptr, nullptr, nullptr);
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO items (n, note, amount) VALUES (?1, 'steady', ?1 * 0.25)", -1, &insert, nullptr);
  const auto start = SteadyClock::now();
  for (int i = 0; i < count; ++i) {
    std::this_thread::sleep_until(start + std::chrono::microseconds(int64_t{1000000} * i / rate));
    sqlite3_bind_int(insert, 1, i);
    sqlite3_step(insert);
    sqlite3_reset(insert);
  }
  sqlite3_finalize(insert);
  sqlite3_close(db);
}

std::vector<std::string> Args(std::vector<std::string> args, const std::vector<std::string>& extra) {
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// A captured database with an empty log.
std::string EmptyCapturedDb(const testing::TempDir& dir) {
  static const Backlog empty(0);
  return empty.CopyTo(dir);
}

void SteadyThroughCli(benchmark::State& state, const std::vector<std::string>& extra) {
  if (!S3ServerAvailable()) return state.SkipWithError("s3rver is not installed (make node-deps)");
  UseS3rverCredentials();
  testing::S3TestServer server("bench");
  int64_t objects_total = 0, runs = 0;
  for (auto _ : state) {
    testing::TempDir dir;
    const std::string path = EmptyCapturedDb(dir);
    const std::string prefix = "steady" + std::to_string(runs);
    testing::BackgroundProcess cdc(
        testing::BinaryPath("sqlite-cdc"),
        Args({"--db", path, "--cdc", "--output", ArchiveUrl(server, prefix), "--log-level", "warn"}, extra),
        "/dev/null", dir.File("err.log"));
    // Started once its schema object is stored.
    const auto started = SteadyClock::now();
    while (server.Keys(prefix + "/schema/").empty() && SteadyClock::now() - started < std::chrono::seconds(20)) {
      std::this_thread::sleep_for(milliseconds(20));
    }
    const auto start = SteadyClock::now();
    WriteSteadily(path, kSteadyRate * kSteadySeconds, kSteadyRate);
    while (Undelivered(path) > 0 && SteadyClock::now() - start < std::chrono::seconds(60)) {
      std::this_thread::sleep_for(milliseconds(50));
    }
    state.SetIterationTime(SecondsSince(start));
    cdc.Signal(SIGTERM);
    if (cdc.Wait() != 0) return state.SkipWithError("sqlite-cdc failed");
    if (const int64_t last = LastArchivedId(server, prefix); last != kSteadyRate * kSteadySeconds) {
      const std::string message = "the archive ends at log id " + std::to_string(last) + ", " +
                                  std::to_string(Undelivered(path)) + " changes undelivered";
      return state.SkipWithError(message.c_str());
    }
    objects_total += ObjectsUnder(server, prefix);
    ++runs;
  }
  state.counters["objects"] = static_cast<double>(objects_total) / static_cast<double>(runs);
  state.counters["puts_per_s"] = static_cast<double>(objects_total) / static_cast<double>(runs * kSteadySeconds);
}

Changes SyntheticBatch(int64_t first_id, int64_t size) {
  Changes batch;
  for (int64_t id = first_id; id < first_id + size; ++id) {
    Change change;
    change.id = id;
    change.table = "items";
    change.timestamp = "2026-11-30T10:00:00.000Z";
    change.operation = Operation::kInsert;
    change.key = "{\"id\":" + std::to_string(id) + "}";
    change.after = "{\"id\":" + std::to_string(id) + ",\"n\":" + std::to_string(id) + ",\"note\":\"note number " +
                   std::to_string(id) + "\",\"amount\":" + std::to_string(id * 0.25) + "}";
    batch.push_back(std::move(change));
  }
  return batch;
}

std::unique_ptr<sinks::S3ArchiveSink> DirectSink(const testing::S3TestServer& server, const std::string& prefix) {
  sinks::S3Location location;
  if (!sinks::ParseS3Url(ArchiveUrl(server, prefix), &location).ok()) return nullptr;
  return std::make_unique<sinks::S3ArchiveSink>(
      [location] {
        return std::make_unique<sinks::S3Client>(location, sinks::AwsCredentials{"S3RVER", "S3RVER", ""},
                                                 std::chrono::seconds(10));
      },
      sinks::S3SinkOptions{});
}

// Sends `batches`, polling between sends as the engine does, then flushes; false on a failure.
bool SendAll(sinks::S3ArchiveSink& sink, int64_t batches, int64_t batch_size,
             const std::function<void(int64_t)>& before_each = {}) {
  int64_t confirmed = 0;
  for (int64_t i = 0; i < batches; ++i) {
    if (before_each) before_each(i);
    if (sink.Send(SyntheticBatch(i * batch_size + 1, batch_size)).kind != HandlerResult::Kind::kSuccess) return false;
    const Confirmations report = sink.Poll(milliseconds(0), false);
    if (report.failure.kind != HandlerResult::Kind::kSuccess) return false;
    confirmed += static_cast<int64_t>(report.batches);
  }
  const auto give_up = SteadyClock::now() + std::chrono::seconds(60);
  while (confirmed < batches && SteadyClock::now() < give_up) {
    const Confirmations report = sink.Poll(milliseconds(50), true);
    if (report.failure.kind != HandlerResult::Kind::kSuccess) return false;
    confirmed += static_cast<int64_t>(report.batches);
  }
  return confirmed == batches;
}

// 2,000 changes/s as the engine would send them under a steady load: a batch of 20 every 10 ms.
void SteadyDirect(benchmark::State& state) {
  if (!S3ServerAvailable()) return state.SkipWithError("s3rver is not installed (make node-deps)");
  testing::S3TestServer server("bench");
  constexpr int64_t kBatch = 20, kEvery = 10;
  constexpr int64_t kBatches = kSteadyRate * kSteadySeconds / kBatch;
  int64_t objects_total = 0, runs = 0;
  for (auto _ : state) {
    const std::string prefix = "direct" + std::to_string(runs);
    auto sink = DirectSink(server, prefix);
    const auto start = SteadyClock::now();
    const bool ok = sink && SendAll(*sink, kBatches, kBatch, [&](int64_t i) {
                      std::this_thread::sleep_until(start + milliseconds(i * kEvery));
                    });
    state.SetIterationTime(SecondsSince(start));
    if (!ok) return state.SkipWithError("the sink failed");
    objects_total += ObjectsUnder(server, prefix);
    ++runs;
  }
  state.counters["objects"] = static_cast<double>(objects_total) / static_cast<double>(runs);
  state.counters["puts_per_s"] = static_cast<double>(objects_total) / static_cast<double>(runs * kSteadySeconds);
}

const Backlog& SharedBacklog() {
  static const Backlog backlog(kBacklogChanges);
  return backlog;
}

// Runs the CLI with stdout to /dev/null; false when it fails.
bool RunCli(const std::vector<std::string>& args) {
  const pid_t pid = fork();
  if (pid == 0) {
    const int null_fd = open("/dev/null", O_WRONLY);
    dup2(null_fd, 1);
    testing::ExecChild(testing::BinaryPath("sqlite-cdc"), args);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

void BacklogThroughCli(benchmark::State& state, bool s3, const std::vector<std::string>& extra = {}) {
  if (s3 && !S3ServerAvailable()) return state.SkipWithError("s3rver is not installed (make node-deps)");
  UseS3rverCredentials();
  std::unique_ptr<testing::S3TestServer> server;
  if (s3) server = std::make_unique<testing::S3TestServer>("bench");
  int64_t runs = 0;
  for (auto _ : state) {
    testing::TempDir dir;
    const std::string path = SharedBacklog().CopyTo(dir);
    const std::string output = s3 ? ArchiveUrl(*server, "backlog" + std::to_string(runs++)) : "json";
    const auto start = SteadyClock::now();
    const bool ok = RunCli(Args({"--db", path, "--drain", "--output", output, "--log-level", "warn"}, extra));
    const double seconds = SecondsSince(start);
    if (!ok || Undelivered(path) != 0) return state.SkipWithError("sqlite-cdc failed");
    state.SetIterationTime(seconds);
    state.counters["events_per_s"] = static_cast<double>(kBacklogChanges) / seconds;
  }
}

// The sink alone with the same number of changes in batches of 256: pipelined, or one at a time.
void BacklogDirect(benchmark::State& state, bool pipelined) {
  if (!S3ServerAvailable()) return state.SkipWithError("s3rver is not installed (make node-deps)");
  testing::S3TestServer server("bench");
  constexpr int64_t kBatch = 256;
  const int64_t batches = (kBacklogChanges + kBatch - 1) / kBatch;
  int64_t runs = 0;
  for (auto _ : state) {
    auto sink = DirectSink(server, "direct-backlog" + std::to_string(runs++));
    const auto start = SteadyClock::now();
    bool ok = sink != nullptr;
    if (ok && pipelined) ok = SendAll(*sink, batches, kBatch);
    for (int64_t i = 0; ok && !pipelined && i < batches; ++i) {
      ok = sink->Handle(SyntheticBatch(i * kBatch + 1, kBatch)).kind == HandlerResult::Kind::kSuccess;
    }
    const double seconds = SecondsSince(start);
    if (!ok) return state.SkipWithError("the sink failed");
    state.SetIterationTime(seconds);
    state.counters["events_per_s"] = static_cast<double>(batches * kBatch) / seconds;
  }
}

const bool registered = [] {
  Register(
      "s3pipeline/steady/cli/2000", 1, [](auto& state) { SteadyThroughCli(state, {}); }, true);
  Register(
      "s3pipeline/steady/cli-one-in-flight/2000", 1,
      [](auto& state) {
        SteadyThroughCli(state, {"--max-in-flight", "1"});
      },
      true);
  Register("s3pipeline/steady/direct/2000", 1, SteadyDirect, true);
  Register(
      "s3pipeline/backlog/cli-json/100000", 1, [](auto& state) { BacklogThroughCli(state, false); }, true);
  Register(
      "s3pipeline/backlog/cli-s3/100000", 1, [](auto& state) { BacklogThroughCli(state, true); }, true);
  // One batch in flight: each batch its own object, stored before the next is read, as before #16.
  Register(
      "s3pipeline/backlog/cli-s3-one-in-flight/100000", 1,
      [](auto& state) {
        BacklogThroughCli(state, true, {"--max-in-flight", "1"});
      },
      true);
  // The bound the issue suggested: the engine's window (65,536 changes) fills before an object does.
  Register(
      "s3pipeline/backlog/cli-s3-max-100000/100000", 1,
      [](auto& state) {
        BacklogThroughCli(state, true, {"--s3-max-object-changes", "100000"});
      },
      true);
  Register(
      "s3pipeline/backlog/direct-pipelined/100000", 1, [](auto& state) { BacklogDirect(state, true); }, true);
  Register(
      "s3pipeline/backlog/direct-one-at-a-time/100000", 1, [](auto& state) { BacklogDirect(state, false); }, true);
  return true;
}();

}  // namespace
}  // namespace sqlite_cdc::bench
