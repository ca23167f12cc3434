// cdc_test_writer DB COUNT [RATE_PER_SECOND [SYNCHRONOUS]]: an application that knows nothing of
// sqlite-cdc. SYNCHRONOUS is the connection's PRAGMA synchronous (default: SQLite's, FULL).
// Commits COUNT single-row changes to table `items(id INTEGER PRIMARY KEY, n INTEGER, note TEXT)`:
// an insert, then alternately updates and deletes of earlier rows. Prints nothing on success.
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: cdc_test_writer DB COUNT [RATE [SYNCHRONOUS]]\n");
    return 2;
  }
  const long count = std::atol(argv[2]);
  const double rate = argc > 3 ? std::atof(argv[3]) : 0;
  sqlite3* db = nullptr;
  if (sqlite3_open(argv[1], &db) != SQLITE_OK) return 1;
  sqlite3_busy_timeout(db, 10000);
  if (argc > 4) sqlite3_exec(db, ("PRAGMA synchronous=" + std::string(argv[4])).c_str(), nullptr, nullptr, nullptr);
  auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < count; ++i) {
    std::string sql;
    const long row = i / 3;
    switch (i % 3) {
      case 0:
        sql = "INSERT INTO items (id, n, note) VALUES (" + std::to_string(row) + ", 0, 'new')";
        break;
      case 1:
        sql = "UPDATE items SET n = n + 1, note = 'changed' WHERE id = " + std::to_string(row);
        break;
      default:
        sql = row % 2 ? "DELETE FROM items WHERE id = " + std::to_string(row)
                      : "UPDATE items SET n = n + 1 WHERE id = " + std::to_string(row);
    }
    char* error = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      std::fprintf(stderr, "cdc_test_writer: %s\n", error ? error : "?");
      return 1;
    }
    if (rate > 0)
      std::this_thread::sleep_until(start + std::chrono::microseconds(static_cast<long>((i + 1) * 1e6 / rate)));
  }
  sqlite3_close(db);
  return 0;
}
