// Commit-to-handler latency: another process commits single rows at a steady rate, each carrying
// the monotonic clock read just before its commit; the handler reads the clock again on arrival.

#include <mutex>

#include "bench_db.h"
#include "ping_writer.h"
#include "sqlite_cdc/engine.h"
#include "support/temp_dir.h"

namespace sqlite_cdc::bench {
namespace {

class LatencyHandler : public ChangesHandler {
 public:
  HandlerResult Handle(const Changes& batch) override {
    const int64_t now = MonotonicNanos();
    std::lock_guard lock(mutex_);
    for (const Change& change : batch) {
      if (const auto committed = PingCommitNanos(change)) latencies_us_.push_back((now - *committed) / 1e3);
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
  PingWriterProcess writer(dir.File("latency.db"), rate * 3, rate);  // three seconds of commits
  if (!writer.ok()) {
    state.SkipWithError("setup failed");
    return;
  }
  EngineOptions options;
  options.capture = writer.capture();
  options.use_inotify = inotify;
  options.poll_interval = std::chrono::milliseconds(inotify ? 1000 : 50);
  std::unique_ptr<Engine> engine;
  if (!Engine::Open(options, &engine).ok()) {
    state.SkipWithError("engine failed to open");
    return;
  }
  LatencyHandler handler;
  MeasureCommitLatencies(
      state, *engine, handler, writer, [&] { return handler.Latencies(); }, "not every commit reached the handler");
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
