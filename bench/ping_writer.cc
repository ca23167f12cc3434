#include "ping_writer.h"

#include <sqlite3.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "bench_db.h"
#include "sqlite_cdc/setup.h"

namespace sqlite_cdc::bench {

int64_t MonotonicNanos() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return now.tv_sec * 1'000'000'000LL + now.tv_nsec;
}

void RunPingWriter(const std::string& path, int go_fd, int count, int rate) {
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

std::optional<int64_t> PingCommitNanos(const Change& change) {
  const size_t at = change.after ? change.after->find("\"t_ns\":") : std::string::npos;
  if (at == std::string::npos) return std::nullopt;
  return std::atoll(change.after->c_str() + at + 7);
}

PingWriterProcess::PingWriterProcess(const std::string& path, int count, int rate) : count_(count) {
  OpenForWriting(path).Execute("CREATE TABLE pings (id INTEGER PRIMARY KEY, t_ns INTEGER, note TEXT)");
  capture_.db_path = path;
  int go[2];
  if (!sqlite_cdc::Setup(capture_).ok() || pipe(go) != 0) return;
  pid_ = fork();
  if (pid_ == 0) {
    close(go[1]);  // so that the read sees the end of the pipe once the parent closes it
    RunPingWriter(path, go[0], count, rate);
  }
  close(go[0]);
  go_ = go[1];
}

PingWriterProcess::~PingWriterProcess() {
  if (go_ >= 0) close(go_);
  if (pid_ > 0) waitpid(pid_, nullptr, 0);
}

void PingWriterProcess::Run() {
  if (go_ < 0) return;  // ran already
  if (write(go_, "g", 1) == 1) waitpid(pid_, nullptr, 0);
  close(go_);
  go_ = -1;
  pid_ = -1;
}

void MeasureCommitLatencies(benchmark::State& state, Engine& engine, ChangesHandler& handler, PingWriterProcess& writer,
                            const std::function<std::vector<double>()>& latencies, const char* missing) {
  // A failure shows as latencies that never arrive (the loop below gives up after 30 s).
  std::thread runner([&] { (void)engine.RunCdc(handler); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let it settle into waiting
  for (auto _ : state) {
    writer.Run();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (latencies().size() < static_cast<size_t>(writer.count()) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  engine.Stop();
  runner.join();
  const std::vector<double> arrived = latencies();
  if (arrived.size() != static_cast<size_t>(writer.count())) {
    state.SkipWithError(missing);
    return;
  }
  state.counters["p50_us"] = Percentile(arrived, 0.50);
  state.counters["p99_us"] = Percentile(arrived, 0.99);
  state.counters["max_us"] = *std::max_element(arrived.begin(), arrived.end());
}

double Percentile(std::vector<double> values, double fraction) {
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<size_t>(fraction * values.size()))];
}

}  // namespace sqlite_cdc::bench
