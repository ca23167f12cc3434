#include "ping_writer.h"

#include <sqlite3.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>

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

double Percentile(std::vector<double> values, double fraction) {
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<size_t>(fraction * values.size()))];
}

}  // namespace sqlite_cdc::bench
