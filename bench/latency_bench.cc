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
#include "ping_writer.h"
#include "sqlite_cdc/engine.h"
#include "sqlite_cdc/setup.h"
#include "support/temp_dir.h"

namespace sqlite_cdc::bench {
namespace {

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
  if (writer == 0) RunPingWriter(path, go[0], count, rate);
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
