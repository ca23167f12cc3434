// Commit-to-handler latency: another process commits single rows at a steady rate, each carrying
// the monotonic clock read just before its commit; the handler reads the clock again on arrival.
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "bench_db.h"
#include "sqlite_cdc/engine.h"
#include "sqlite_cdc/setup.h"
#include "support/temp_dir.h"

namespace sqlite_cdc::bench {
namespace {

int64_t MonotonicNanos() {  // CLOCK_MONOTONIC is one clock for every process of the machine
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return now.tv_sec * 1'000'000'000LL + now.tv_nsec;
}

class LatencyHandler : public ChangesHandler {
 public:
  HandlerResult Handle(const Changes& batch) override {
    const int64_t now = MonotonicNanos();
    std::lock_guard lock(mutex_);
    for (const Change& change : batch) {
      const size_t at = change.after ? change.after->find("\"t_ns\":") : std::string::npos;
      if (at != std::string::npos) latencies_us_.push_back((now - std::atoll(change.after->c_str() + at + 7)) / 1e3);
    }
    return HandlerResult::Success();
  }
  std::vector<double> Latencies() {
    std::lock_guard lock(mutex_);
    return latencies_us_;
  }

 private:
  std::mutex mutex_;
  std::vector<double> latencies_us_;
};

// The writer process: waits for the go byte, then commits `count` rows at `rate` per second.
[[noreturn]] void RunWriter(const std::string& path, int go_fd, int count, int rate) {
  char go = 0;
  if (read(go_fd, &go, 1) != 1) _exit(1);
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_busy_timeout(db, 5000);
  sqlite3_exec(db, "PRAGMA synchronous=NORMAL", nullptr, nullptr, nullptr);
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO pings (t_ns, note) VALUES (?1, 'ping')", -1, &insert, nullptr);
  const int64_t start = MonotonicNanos();
  for (int i = 0; i < count; ++i) {
    const int64_t due = start + static_cast<int64_t>(i * 1e9 / rate);
    while (MonotonicNanos() < due) usleep(std::max<int64_t>(0, (due - MonotonicNanos()) / 1000 - 50));
    sqlite3_bind_int64(insert, 1, MonotonicNanos());
    if (sqlite3_step(insert) != SQLITE_DONE) _exit(1);
    sqlite3_reset(insert);
  }
  sqlite3_finalize(insert);
  sqlite3_close(db);
  _exit(0);
}

double Percentile(std::vector<double> values, double fraction) {
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<size_t>(fraction * values.size()))];
}

void MeasureLatency(benchmark::State& state, int rate, bool inotify) {
  testing::TempDir dir;
  const std::string path = dir.File("latency.db");
  OpenForWriting(path).Execute("CREATE TABLE pings (id INTEGER PRIMARY KEY, t_ns INTEGER, note TEXT)");
  CaptureOptions capture;
  capture.db_path = path;
  if (!sqlite_cdc::Setup(capture).ok()) {
    state.SkipWithError("setup failed");
    return;
  }
  const int count = rate * 3;  // three seconds of commits
  // Forked before the engine's threads exist, so the child inherits no lock held by one of them.
  int go[2];
  if (pipe(go) != 0) return;
  const pid_t writer = fork();
  if (writer == 0) RunWriter(path, go[0], count, rate);
  close(go[0]);

  EngineOptions options;
  options.capture = capture;
  options.use_inotify = inotify;
  options.poll_interval = std::chrono::milliseconds(inotify ? 1000 : 50);
  std::unique_ptr<Engine> engine;
  if (!Engine::Open(options, &engine).ok()) {
    state.SkipWithError("engine failed to open");
    return;
  }
  LatencyHandler handler;
  // A failure shows as latencies that never arrive (the loop below gives up after 30 s).
  std::thread runner([&] { (void)engine->RunCdc(handler); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let it settle into waiting
  for (auto _ : state) {
    if (write(go[1], "g", 1) != 1) break;
    waitpid(writer, nullptr, 0);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (handler.Latencies().size() < static_cast<size_t>(count) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  engine->Stop();
  runner.join();
  close(go[1]);
  const std::vector<double> latencies = handler.Latencies();
  if (latencies.size() != static_cast<size_t>(count)) {
    state.SkipWithError("not every commit reached the handler");
    return;
  }
  state.counters["p50_us"] = Percentile(latencies, 0.50);
  state.counters["p99_us"] = Percentile(latencies, 0.99);
  state.counters["max_us"] = *std::max_element(latencies.begin(), latencies.end());
}

const bool registered = [] {
  for (const int rate : {200, 2000}) {
    for (const bool inotify : {true, false}) {
      Register(std::string("latency/commit/") + (inotify ? "inotify" : "poll-50ms") + "/" + std::to_string(rate), 1,
               [=](benchmark::State& state) { MeasureLatency(state, rate, inotify); });
    }
  }
  return true;
}();

}  // namespace
}  // namespace sqlite_cdc::bench
