#pragma once

#include <cstdint>
#include <string>

#include "support/temp_dir.h"

namespace sqlite_cdc::bench {

// A database whose log holds `changes` inserts into `items` (id, n, note, amount), made once per
// run and copied for each measurement, since draining consumes it.
class Backlog {
 public:
  explicit Backlog(int64_t changes);
  int64_t changes() const { return changes_; }
  // A fresh copy, with the log full again.
  std::string CopyTo(const testing::TempDir& dir) const;

 private:
  int64_t changes_;
  testing::TempDir dir_;
  std::string path_;
};

// The backlog size: CDC_BENCH_CHANGES from the environment, else `fallback`.
int64_t BacklogSize(int64_t fallback);

}  // namespace sqlite_cdc::bench
