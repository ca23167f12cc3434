#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sqlite_cdc/engine.h"

// What the latency benchmarks share: one clock for every process, the writer process that commits
// timestamped pings, the measurement of commit-to-arrival latency, and the percentile of a sample.
namespace sqlite_cdc::bench {

// CLOCK_MONOTONIC in nanoseconds: one clock for every process of the machine.
int64_t MonotonicNanos();

// The writer process: waits for the go byte on `go_fd`, then commits `count` rows into
// `pings(t_ns, note)` at `rate` per second, each stamped with MonotonicNanos() just before its
// commit. Plain sqlite3 calls, as an application makes them; exits 0, or 1 when a commit fails.
[[noreturn]] void RunPingWriter(const std::string& path, int go_fd, int count, int rate);

// The commit time a ping's change carries (its t_ns), or nullopt for any other change.
std::optional<int64_t> PingCommitNanos(const Change& change);

// A new database at `path` with a captured `pings` table, and the writer process (RunPingWriter)
// forked and waiting for its go byte. Make it before any thread starts, so that the child inherits
// no lock a thread holds. The destructor reaps the child (one that never ran exits at once).
class PingWriterProcess {
 public:
  PingWriterProcess(const std::string& path, int count, int rate);
  ~PingWriterProcess();
  PingWriterProcess(const PingWriterProcess&) = delete;
  PingWriterProcess& operator=(const PingWriterProcess&) = delete;

  // False when the setup or the fork failed.
  bool ok() const { return pid_ > 0; }
  const CaptureOptions& capture() const { return capture_; }
  int count() const { return count_; }
  // Lets the writer commit and waits until it has exited.
  void Run();

 private:
  CaptureOptions capture_;
  int count_;
  int go_ = -1;  // the pipe's write end
  int pid_ = -1;
};

// Runs `engine` into `handler` on a thread of its own, lets `writer` commit, waits until
// `latencies()` (µs) holds every commit or 30 s have passed, stops the engine, and reports their
// p50, p99 and max; skips with `missing` when some never arrived.
void MeasureCommitLatencies(benchmark::State& state, Engine& engine, ChangesHandler& handler, PingWriterProcess& writer,
                            const std::function<std::vector<double>()>& latencies, const char* missing);

// The value below which `fraction` of `values` lie (nearest rank). REQUIRES: !values.empty().
double Percentile(std::vector<double> values, double fraction);

}  // namespace sqlite_cdc::bench
