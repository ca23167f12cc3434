// What the application notices of the engine (issue #13 point 5): a writer process with its own
// connection (synchronous=NORMAL, busy_timeout 5000) commits single-row INSERTs into a captured table
// at a steady rate and measures each commit and its -wal file, once without the engine and once with
// the real `sqlite-cdc --output json` (inotify, default options, stdout to /dev/null) running as a
// third process; the engine's CPU time is the kernel's accounting of that process while the writer
// runs and until the engine has delivered everything (its start-up is left out).
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <utility>
#include <vector>

#include "bench_db.h"
#include "ping_writer.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace sqlite_cdc::bench {
namespace {

int64_t FileSize(const std::string& path) {
  struct stat info {};
  return stat(path.c_str(), &info) == 0 ? static_cast<int64_t>(info.st_size) : 0;
}

// What the writer process sends back through its pipe: this header, then one double (µs) per commit.
struct WriterSummary {
  int32_t ok = 0;
  int32_t commits = 0;
  int64_t wal_max_bytes = 0;
  int64_t wal_end_bytes = 0;  // right after the last commit, before the writer closes its connection
  double seconds = 0;
};

bool WriteAll(int fd, const void* data, size_t size) {
  const char* bytes = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t written = write(fd, bytes, size);
    if (written <= 0) return false;
    bytes += written;
    size -= static_cast<size_t>(written);
  }
  return true;
}

// The writer: waits for the go byte on `go_fd`, commits `count` rows at `rate` per second, reports on
// `out_fd`. Plain sqlite3 calls, as an application makes them.
[[noreturn]] void RunWriter(const std::string& path, int go_fd, int out_fd, int count, int rate) {
  char go = 0;
  if (read(go_fd, &go, 1) != 1) _exit(1);
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_busy_timeout(db, 5000);
  sqlite3_exec(db, "PRAGMA synchronous=NORMAL", nullptr, nullptr, nullptr);
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO pings (t_ns, note) VALUES (?1, 'ping')", -1, &insert, nullptr);
  std::vector<double> latencies_us;
  latencies_us.reserve(static_cast<size_t>(count));
  WriterSummary summary;
  summary.ok = 1;
  const std::string wal = path + "-wal";
  const int64_t start = MonotonicNanos();
  for (int i = 0; i < count; ++i) {
    const int64_t due = start + static_cast<int64_t>(i * 1e9 / rate);
    while (MonotonicNanos() < due) usleep(std::max<int64_t>(0, (due - MonotonicNanos()) / 1000 - 50));
    const int64_t before = MonotonicNanos();
    sqlite3_bind_int64(insert, 1, before);
    if (sqlite3_step(insert) != SQLITE_DONE) summary.ok = 0;
    sqlite3_reset(insert);
    latencies_us.push_back(static_cast<double>(MonotonicNanos() - before) / 1e3);
    summary.wal_max_bytes = std::max(summary.wal_max_bytes, FileSize(wal));
  }
  summary.seconds = static_cast<double>(MonotonicNanos() - start) / 1e9;
  summary.wal_end_bytes = FileSize(wal);
  summary.commits = static_cast<int32_t>(latencies_us.size());
  const bool sent = WriteAll(out_fd, &summary, sizeof summary) &&
                    WriteAll(out_fd, latencies_us.data(), latencies_us.size() * sizeof(double));
  sqlite3_finalize(insert);
  sqlite3_close(db);
  _exit(sent ? 0 : 1);
}

// The writer process, forked at construction and held until Run().
class WriterProcess {
 public:
  WriterProcess(const std::string& path, int count, int rate) {
    int go[2], out[2];
    if (pipe(go) != 0) throw std::runtime_error("pipe failed");
    if (pipe(out) != 0) {
      close(go[0]);
      close(go[1]);
      throw std::runtime_error("pipe failed");
    }
    pid_ = fork();
    if (pid_ == 0) {
      close(go[1]);
      close(out[0]);
      RunWriter(path, go[0], out[1], count, rate);
    }
    close(go[0]);
    close(out[1]);
    go_fd_ = go[1];
    out_fd_ = out[0];
  }
  WriterProcess(const WriterProcess&) = delete;
  WriterProcess& operator=(const WriterProcess&) = delete;
  ~WriterProcess() {
    if (go_fd_ >= 0) close(go_fd_);  // a writer never started reads end-of-file and exits
    if (out_fd_ >= 0) close(out_fd_);
    if (pid_ > 0) waitpid(pid_, nullptr, 0);
  }

  // Lets it write and waits for it to finish; false if it failed.
  bool Run(WriterSummary* summary, std::vector<double>* latencies_us) {
    if (write(go_fd_, "g", 1) != 1) return false;
    std::string received;
    char buffer[65536];
    for (ssize_t got; (got = read(out_fd_, buffer, sizeof buffer)) > 0;) received.append(buffer, got);
    int status = 0;
    waitpid(std::exchange(pid_, -1), &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || received.size() < sizeof *summary) return false;
    std::memcpy(summary, received.data(), sizeof *summary);
    const size_t commits = static_cast<size_t>(summary->commits);
    if (!summary->ok || commits == 0 || received.size() != sizeof *summary + commits * sizeof(double)) return false;
    latencies_us->resize(commits);
    std::memcpy(latencies_us->data(), received.data() + sizeof *summary, commits * sizeof(double));
    return true;
  }

 private:
  pid_t pid_ = -1;
  int go_fd_ = -1;
  int out_fd_ = -1;
};

// `sqlite-cdc --db PATH --output json` with stdout to /dev/null, stopped by SIGTERM.
class EngineProcess {
 public:
  explicit EngineProcess(const std::string& path) {
    pid_ = fork();
    if (pid_ == 0) {
      const int null_fd = open("/dev/null", O_WRONLY);
      dup2(null_fd, 1);
      testing::ExecChild(testing::BinaryPath("sqlite-cdc"), {"--db", path, "--output", "json", "--log-level", "warn"});
    }
  }
  EngineProcess(const EngineProcess&) = delete;
  EngineProcess& operator=(const EngineProcess&) = delete;
  ~EngineProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  // The CPU time (user + system) it has used so far, from /proc (in clock ticks), or -1.
  double CpuSecondsSoFar() const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/stat");
    std::string line;
    std::getline(in, line);
    const size_t command_end = line.rfind(')');  // the command name may hold spaces
    if (command_end == std::string::npos) return -1;
    std::istringstream fields(line.substr(command_end + 2));
    std::string field;
    double ticks = 0;
    for (int index = 3; index <= 15 && fields >> field; ++index) {
      if (index >= 14) ticks += std::stod(field);  // utime, stime
    }
    return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
  }

  // Stops it; returns the CPU time (user + system) it used, or -1 if it did not exit cleanly.
  double StopForCpuSeconds() {
    kill(pid_, SIGTERM);
    int status = 0;
    rusage usage{};
    wait4(std::exchange(pid_, -1), &status, 0, &usage);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
    const auto seconds = [](const timeval& time) { return static_cast<double>(time.tv_sec) + time.tv_usec / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
  }

 private:
  pid_t pid_ = -1;
};

// Changes the engine has not deleted from the log yet (it keeps its highest delivered row).
int64_t Undelivered(const std::string& path) {
  Database db = Database::OpenExisting(path);
  return db.QueryInt(
      "SELECT count(*) FROM __cdc_log WHERE id > (SELECT coalesce(max(last_deleted_id), 0) FROM __cdc_log_state)");
}

bool WaitUntilDelivered(const std::string& path) {
  return testing::WaitUntil([&] { return Undelivered(path) == 0; }, 120);
}

// How the engine runs beside the writer: not at all, or `sqlite-cdc --output json`; with a `backlog`
// of changes logged before both start, the engine drains it while the writer commits (the writer's
// run begins as the engine starts, without waiting for a warm-up change, so the engine's CPU then
// includes its start-up).
struct EngineRun {
  bool with_engine = false;
  int backlog = 0;
};

void MeasureApplication(benchmark::State& state, int rate, double seconds, const EngineRun& run) {
  const bool with_engine = run.with_engine;
  testing::TempDir dir;
  const std::string path = dir.File("app.db");
  OpenForWriting(path).Execute("CREATE TABLE pings (id INTEGER PRIMARY KEY, t_ns INTEGER, note TEXT)");
  if (const std::string error = InstallCapture(path, "pings", Capture::kOurs); !error.empty()) {
    state.SkipWithError(error.c_str());
    return;
  }
  const int count = static_cast<int>(rate * seconds);
  WriterProcess writer(path, count, rate);  // forked before anything else runs beside this process
  if (run.backlog > 0) {
    OpenForWriting(path).Execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
                                 std::to_string(run.backlog) +
                                 ") INSERT INTO pings (t_ns, note) SELECT 0, 'backlog row ' || i FROM n");
  }
  // One change before the writer starts, in both runs; with the engine, its delivery shows that the
  // engine is up and waiting.
  OpenForWriting(path).Execute("INSERT INTO pings (t_ns, note) VALUES (0, 'warm-up')");
  std::unique_ptr<EngineProcess> engine;
  if (with_engine) {
    engine = std::make_unique<EngineProcess>(path);
    if (run.backlog == 0 && !WaitUntilDelivered(path)) {
      state.SkipWithError("the engine did not deliver the warm-up change");
      return;
    }
  }
  const double engine_cpu_before = engine ? engine->CpuSecondsSoFar() : 0;  // its start and the warm-up
  WriterSummary summary;
  std::vector<double> latencies_us;
  for (auto _ : state) {
    if (!writer.Run(&summary, &latencies_us)) {
      state.SkipWithError("the writer failed");
      return;
    }
    state.SetIterationTime(summary.seconds);
  }
  if (engine) {
    if (!WaitUntilDelivered(path)) {
      state.SkipWithError("the engine did not deliver every change");
      return;
    }
    const double cpu_seconds = engine->StopForCpuSeconds();
    if (cpu_seconds < 0) {
      state.SkipWithError("sqlite-cdc did not exit cleanly on SIGTERM");
      return;
    }
    state.counters["engine_cpu_ms_per_10k"] = (cpu_seconds - engine_cpu_before) * 1e3 / (count + run.backlog) * 10'000;
  }
  state.counters["p50_us"] = Percentile(latencies_us, 0.50);
  state.counters["p99_us"] = Percentile(latencies_us, 0.99);
  state.counters["max_us"] = *std::max_element(latencies_us.begin(), latencies_us.end());
  state.counters["wal_end_mib"] = static_cast<double>(summary.wal_end_bytes) / (1 << 20);
  state.counters["wal_max_mib"] = static_cast<double>(summary.wal_max_bytes) / (1 << 20);
}

const bool registered = [] {
  for (const auto& [rate, seconds] : {std::pair{20, 10.0}, std::pair{200, 5.0}, std::pair{2000, 5.0}}) {
    for (const bool with_engine : {false, true}) {
      Register(
          std::string("app/commit/") + (with_engine ? "with-engine" : "without") + "/" + std::to_string(rate), 1,
          [=](benchmark::State& state) {
            MeasureApplication(state, rate, seconds, EngineRun{with_engine, 0});
          },
          true);
    }
  }
  // The engine draining a backlog of 500,000 changes while the writer commits 2,000 a second (its
  // deletions hold the write lock longest then), beside the same backlog with no engine.
  constexpr int kBacklog = 500'000;
  for (const auto& [mode, run] : {std::pair<std::string, EngineRun>{"without", EngineRun{false, kBacklog}},
                                  {"with-engine", EngineRun{true, kBacklog}}}) {
    Register(
        "app/backlog/" + mode + "/2000", 1, [=](benchmark::State& state) { MeasureApplication(state, 2000, 5.0, run); },
        true);
  }
  return true;
}();

}  // namespace
}  // namespace sqlite_cdc::bench
