// How fast the log empties: the engine with a handler that does nothing, the real CLI writing JSON
// to /dev/null, and the floor: a bare SQLite loop doing the least a drain acknowledging in groups
// must do.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <thread>

#include "backlog.h"
#include "bench_db.h"
#include "sqlite_cdc/engine.h"
#include "support/process.h"

namespace sqlite_cdc::bench {
namespace {

const Backlog& SharedBacklog() {
  static const Backlog backlog(BacklogSize(1'000'000));
  return backlog;
}

void Report(benchmark::State& state, int64_t drained, double seconds) {
  state.SetIterationTime(seconds);
  state.counters["events_per_s"] = static_cast<double>(drained) / seconds;
  if (drained != SharedBacklog().changes()) state.SkipWithError("the drain did not deliver the whole backlog");
}

void DrainWithEngine(benchmark::State& state, size_t batch_size) {
  testing::TempDir dir;
  const std::string path = SharedBacklog().CopyTo(dir);
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    EngineOptions options;
    options.capture.db_path = path;
    options.batch_size = batch_size;
    std::unique_ptr<Engine> engine;
    CountingHandler handler;
    if (!Engine::Open(options, &engine).ok() || !engine->DrainOnce(handler).ok()) {
      state.SkipWithError("the engine failed");
      return;
    }
    Report(state, handler.received, SecondsSince(start));
  }
}

// The peak resident set (VmHWM) of process `pid` in bytes once it runs `name`; 0 before (until its
// exec it is a copy of this process, whose pages are not the program's) or when it is gone.
int64_t PeakRssOnceRunning(pid_t pid, const std::string& name) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  bool running = false;
  while (std::getline(status, line)) {
    if (line.rfind("Name:", 0) == 0) running = line.find(name) != std::string::npos;
    if (running && line.rfind("VmHWM:", 0) == 0) return std::atoll(line.c_str() + 6) * 1024;  // "VmHWM: N kB"
  }
  return 0;
}

// Runs the CLI with stdout to /dev/null; returns its peak resident set in bytes, or -1 on failure.
// Read from /proc while it runs (every 5 ms): the child's ru_maxrss would also count the pages of
// this large process that the fork copied before the exec.
int64_t RunCliForPeakRss(const std::vector<std::string>& args) {
  const pid_t pid = fork();
  if (pid == 0) {
    const int null_fd = open("/dev/null", O_WRONLY);
    dup2(null_fd, 1);
    testing::ExecChild(testing::BinaryPath("sqlite-cdc"), args);
  }
  int status = 0;
  int64_t peak = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    peak = std::max(peak, PeakRssOnceRunning(pid, "sqlite-cdc"));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
  return peak;
}

void DrainWithCli(benchmark::State& state, size_t batch_size) {
  testing::TempDir dir;
  const std::string path = SharedBacklog().CopyTo(dir);
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    const int64_t peak_rss = RunCliForPeakRss({"--db", path, "--drain", "--output", "json", "--batch-size",
                                               std::to_string(batch_size), "--log-level", "warn"});
    const double seconds = SecondsSince(start);
    if (peak_rss < 0) {
      state.SkipWithError("sqlite-cdc failed");
      return;
    }
    Database db = Database::OpenExisting(path);
    const int64_t left = db.QueryInt(  // the engine keeps its highest delivered row in the log
        "SELECT count(*) FROM __cdc_log WHERE id > (SELECT coalesce(max(last_deleted_id), 0) FROM __cdc_log_state)");
    Report(state, SharedBacklog().changes() - left, seconds);
    state.counters["peak_rss_mib"] = static_cast<double>(peak_rss) / (1 << 20);
  }
}

// Selects the rows by id in batches (each in a read transaction of its own), reads every column, and
// deletes what it read once the engine's default group (EngineOptions::ack_max_rows) is reached and at
// the end, in a write transaction, without pauses: what the engine's deletions must do at the least.
void DrainFloor(benchmark::State& state, size_t batch_size) {
  testing::TempDir dir;
  const std::string path = SharedBacklog().CopyTo(dir);
  const int64_t group = static_cast<int64_t>(EngineOptions{}.ack_max_rows);
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    Database db = Database::OpenExisting(path);
    db.QueryText("PRAGMA journal_mode=WAL");
    db.Execute("PRAGMA synchronous=NORMAL");
    Statement select(db,
                     "SELECT id, timestamp, tablename, operation, key, before, after FROM __cdc_log"
                     " WHERE id > ?1 ORDER BY id LIMIT ?2");
    Statement erase(db, "DELETE FROM __cdc_log WHERE id <= ?1");
    int64_t last = 0, drained = 0, touched = 0, unacknowledged = 0;
    const auto acknowledge = [&] {
      db.Execute("BEGIN IMMEDIATE");
      erase.Bind(1, last);
      erase.Step();
      erase.Reset();
      db.Execute("COMMIT");
      unacknowledged = 0;
    };
    for (;;) {
      select.Bind(1, last).Bind(2, static_cast<int64_t>(batch_size));
      int64_t rows = 0;
      while (select.Step()) {
        last = select.Int(0);
        for (int column = 1; column < 7; ++column) touched += static_cast<int64_t>(select.Text(column).size());
        ++rows;
      }
      select.Reset();
      drained += rows;
      unacknowledged += rows;
      if (rows == 0 || unacknowledged >= group) acknowledge();
      if (rows == 0) break;
    }
    benchmark::DoNotOptimize(touched);
    Report(state, drained, SecondsSince(start));
  }
}

const bool registered = [] {
  for (const size_t batch : {64, 256, 1000, 4096}) {
    const std::string size = std::to_string(batch);
    Register(
        "drain/backlog/floor/" + size, 1, [batch](auto& state) { DrainFloor(state, batch); }, true);
    Register(
        "drain/backlog/engine/" + size, 1, [batch](auto& state) { DrainWithEngine(state, batch); }, true);
    Register(
        "drain/backlog/cli-json/" + size, 1, [batch](auto& state) { DrainWithCli(state, batch); }, true);
  }
  return true;
}();

}  // namespace
}  // namespace sqlite_cdc::bench
