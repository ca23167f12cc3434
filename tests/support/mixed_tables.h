#pragma once

#include <algorithm>
#include <map>
#include <string>

namespace sqlite_cdc::testing {

// The tables cdc_test_mixed_writer writes to: a rowid table with an INTEGER PRIMARY KEY, and a
// WITHOUT ROWID table with a composite key and names that need quoting. `v` is the number of the
// change that last wrote the row: it only grows.
inline constexpr char kMixedTables[] =
    "CREATE TABLE accounts (id INTEGER PRIMARY KEY, v INTEGER NOT NULL, balance REAL, note TEXT);"
    "CREATE TABLE \"order lines\" (\"order\" INTEGER, line TEXT, v INTEGER NOT NULL, qty REAL, "
    "PRIMARY KEY (\"order\", line)) WITHOUT ROWID";

// The separate writer process (tests/support/mixed_writer_main.cc).
std::string MixedWriterPath();

// What a reader of a replica of the mixed tables sees over its polls: the replica's position and
// each row's `v` may only go forward. The first step back is kept, and reading can stop there.
class ForwardOnlyReadings {
 public:
  void Position(long long now) {
    if (now < position_ && went_back_.empty()) {
      went_back_ = "position " + std::to_string(position_) + " -> " + std::to_string(now);
    }
    position_ = std::max(position_, now);
  }
  // `key` names the row in any way that is the same on every poll.
  void Row(const std::string& key, long long v) {
    long long& seen = newest_[key];
    if (v < seen && went_back_.empty()) went_back_ = key + ": v " + std::to_string(seen) + " -> " + std::to_string(v);
    seen = std::max(seen, v);
  }
  // Empty while nothing went back.
  const std::string& went_back() const { return went_back_; }

 private:
  long long position_ = 0;
  std::map<std::string, long long> newest_;
  std::string went_back_;
};

}  // namespace sqlite_cdc::testing
