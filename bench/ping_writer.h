#pragma once

#include <cstdint>
#include <string>
#include <vector>

// What the latency benchmarks share: one clock for every process, the writer process that commits
// timestamped pings, and the percentile of a sample.
namespace sqlite_cdc::bench {

// CLOCK_MONOTONIC in nanoseconds: one clock for every process of the machine.
int64_t MonotonicNanos();

// The writer process: waits for the go byte on `go_fd`, then commits `count` rows into
// `pings(t_ns, note)` at `rate` per second, each stamped with MonotonicNanos() just before its
// commit. Plain sqlite3 calls, as an application makes them; exits 0, or 1 when a commit fails.
[[noreturn]] void RunPingWriter(const std::string& path, int go_fd, int count, int rate);

// The value below which `fraction` of `values` lie (nearest rank). REQUIRES: !values.empty().
double Percentile(std::vector<double> values, double fraction);

}  // namespace sqlite_cdc::bench
