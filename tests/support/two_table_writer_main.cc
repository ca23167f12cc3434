// cdc_test_two_table_writer DB COUNT [RATE_PER_SECOND]: an application that knows nothing of
// sqlite-cdc, writing two tables, one keyed by two columns:
//   items(id INTEGER PRIMARY KEY, n INTEGER, note TEXT)
//   lines(order_id INTEGER, line INTEGER, qty INTEGER, PRIMARY KEY (order_id, line)) WITHOUT ROWID
// Commits COUNT single-row changes, alternating tables: per table an insert, then alternately
// updates and deletes of earlier rows. Prints nothing on success.
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: cdc_test_two_table_writer DB COUNT [RATE]\n");
    return 2;
  }
  const long count = std::atol(argv[2]);
  const double rate = argc > 3 ? std::atof(argv[3]) : 0;
  sqlite3* db = nullptr;
  if (sqlite3_open(argv[1], &db) != SQLITE_OK) return 1;
  sqlite3_busy_timeout(db, 10000);
  const auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < count; ++i) {
    const long step = i / 2;
    const long row = step / 3;
    const std::string id = std::to_string(row);
    // Composite keys that share their first column across rows.
    const std::string where_line = "order_id = " + std::to_string(row % 7) + " AND line = " + id;
    std::string sql;
    if (i % 2 == 0) {
      switch (step % 3) {
        case 0:
          sql = "INSERT INTO items (id, n, note) VALUES (" + id + ", 0, 'new')";
          break;
        case 1:
          sql = "UPDATE items SET n = n + 1, note = 'changed' WHERE id = " + id;
          break;
        default:
          sql = row % 2 ? "DELETE FROM items WHERE id = " + id : "UPDATE items SET n = n + 1 WHERE id = " + id;
      }
    } else {
      switch (step % 3) {
        case 0:
          sql = "INSERT INTO lines (order_id, line, qty) VALUES (" + std::to_string(row % 7) + ", " + id + ", 1)";
          break;
        case 1:
          sql = "UPDATE lines SET qty = qty + 1 WHERE " + where_line;
          break;
        default:
          sql =
              row % 3 ? "DELETE FROM lines WHERE " + where_line : "UPDATE lines SET qty = qty * 2 WHERE " + where_line;
      }
    }
    char* error = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      std::fprintf(stderr, "cdc_test_two_table_writer: %s\n", error ? error : "?");
      return 1;
    }
    if (rate > 0) {
      std::this_thread::sleep_until(start + std::chrono::microseconds(static_cast<long>((i + 1) * 1e6 / rate)));
    }
  }
  sqlite3_close(db);
  return 0;
}
