// cdc_test_mixed_writer DB COUNT [RATE_PER_SECOND]: an application that knows nothing of sqlite-cdc,
// writing to two tables of kMixedTables (tests/support/mixed_tables.h): one keyed by an INTEGER
// PRIMARY KEY, one by a composite key WITHOUT ROWID. Each of COUNT changes inserts, updates or
// deletes a row of a small key space, chosen by a fixed-seed generator; every insert and update
// sets `v` to the change's number, so a row's `v` only grows, and `balance`/`qty` to a double with
// all 53 bits of mantissa in use. Every seventh commit holds three changes. Prints nothing on success.
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>

namespace {

struct Writer {
  sqlite3* db = nullptr;
  std::mt19937_64 random{20261130};
  std::set<long> accounts;
  std::set<std::pair<long, long>> lines;

  double Double() {
    return std::ldexp(static_cast<double>(random() >> 11) + 0.5, std::uniform_int_distribution<int>(-70, 10)(random));
  }

  // Binds ?1..?4 (a statement that does not use one ignores it) and runs `sql` once.
  bool Run(const char* sql, long v, long a, long b, double value) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) != SQLITE_OK) return false;
    sqlite3_bind_int64(statement, 1, v);
    sqlite3_bind_int64(statement, 2, a);
    sqlite3_bind_int64(statement, 3, b);
    sqlite3_bind_double(statement, 4, value);
    const int rc = sqlite3_step(statement);
    sqlite3_finalize(statement);
    return rc == SQLITE_DONE;
  }

  // One change with number `v`.
  bool Change(long v) {
    const bool delete_one = std::uniform_int_distribution<int>(0, 9)(random) < 3;
    if (v % 2 == 0) {
      const long id = std::uniform_int_distribution<long>(1, 150)(random);
      if (!accounts.count(id)) {
        accounts.insert(id);
        return Run("INSERT INTO accounts VALUES (?2, ?1, ?4, 'n' || ?1 || ?3)", v, id, 0, Double());
      }
      if (delete_one) {
        accounts.erase(id);
        return Run("DELETE FROM accounts WHERE id = ?2", v, id, 0, 0);
      }
      return Run("UPDATE accounts SET v = ?1, balance = ?4, note = note || ?3 WHERE id = ?2", v, id, v % 10, Double());
    }
    const long order = std::uniform_int_distribution<long>(1, 40)(random);
    const long line = std::uniform_int_distribution<long>(1, 4)(random);
    if (!lines.count({order, line})) {
      lines.insert({order, line});
      return Run("INSERT INTO \"order lines\" VALUES (?2, 'L' || ?3, ?1, ?4)", v, order, line, Double());
    }
    if (delete_one) {
      lines.erase({order, line});
      return Run("DELETE FROM \"order lines\" WHERE \"order\" = ?2 AND line = 'L' || ?3", v, order, line, 0);
    }
    return Run("UPDATE \"order lines\" SET v = ?1, qty = ?4 WHERE \"order\" = ?2 AND line = 'L' || ?3", v, order, line,
               Double());
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: cdc_test_mixed_writer DB COUNT [RATE]\n");
    return 2;
  }
  const long count = std::atol(argv[2]);
  const double rate = argc > 3 ? std::atof(argv[3]) : 0;
  Writer writer;
  if (sqlite3_open(argv[1], &writer.db) != SQLITE_OK) return 1;
  sqlite3_busy_timeout(writer.db, 10000);
  const auto start = std::chrono::steady_clock::now();
  for (long v = 1; v <= count;) {
    const long in_commit = v % 7 == 0 ? std::min(3L, count - v + 1) : 1;
    bool ok = sqlite3_exec(writer.db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK;
    for (long i = 0; ok && i < in_commit; ++i) ok = writer.Change(v + i);
    ok = ok && sqlite3_exec(writer.db, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK;
    if (!ok) {
      std::fprintf(stderr, "cdc_test_mixed_writer: %s\n", sqlite3_errmsg(writer.db));
      return 1;
    }
    v += in_commit;
    if (rate > 0) std::this_thread::sleep_until(start + std::chrono::microseconds(static_cast<long>(v * 1e6 / rate)));
  }
  sqlite3_close(writer.db);
  return 0;
}
