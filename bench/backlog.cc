#include "backlog.h"

#include <cstdlib>
#include <filesystem>

#include "bench_db.h"
#include "sqlite_cdc/setup.h"

namespace sqlite_cdc::bench {

Backlog::Backlog(int64_t changes) : changes_(changes), path_(dir_.File("backlog.db")) {
  {
    Database db = OpenForWriting(path_);
    db.Execute("CREATE TABLE items (id INTEGER PRIMARY KEY, n INTEGER, note TEXT, amount REAL)");
  }
  CaptureOptions options;
  options.db_path = path_;
  if (!sqlite_cdc::Setup(options).ok()) throw std::runtime_error("cannot set up the backlog database");
  Database db = OpenForWriting(path_);
  db.Execute("BEGIN");
  Statement insert(db, "INSERT INTO items (n, note, amount) VALUES (?1, ?2, ?1 * 0.25)");
  for (int64_t row = 1; row <= changes; ++row) {
    insert.Bind(1, row);
    insert.Bind(2, "note number " + std::to_string(row));
    insert.Step();
    insert.Reset();
  }
  db.Execute("COMMIT");
  db.QueryText("PRAGMA wal_checkpoint(TRUNCATE)");
}

std::string Backlog::CopyTo(const testing::TempDir& dir) const {
  const std::string copy = dir.File("drain.db");
  std::filesystem::copy_file(path_, copy, std::filesystem::copy_options::overwrite_existing);
  return copy;
}

int64_t BacklogSize(int64_t fallback) {
  const char* text = std::getenv("CDC_BENCH_CHANGES");
  return text ? std::atoll(text) : fallback;
}

}  // namespace sqlite_cdc::bench
