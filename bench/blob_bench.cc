// What --blobs costs a write: single-row inserts and updates of one BLOB value from 16 B to 1 MiB,
// without triggers, with ours leaving BLOB columns out (the default), and with --blobs (hex images).
#include "bench_db.h"
#include "sqlite_cdc/setup.h"
#include "support/temp_dir.h"

namespace sqlite_cdc::bench {
namespace {

enum class Capture { kNone, kWithoutBlobs, kBlobs };

void MeasureBlobWrites(benchmark::State& state, bool update, Capture capture, int size) {
  testing::TempDir dir;
  const std::string path = dir.File("bench.db");
  const std::string value(size, '\xA5');
  const int64_t rows = state.max_iterations;
  {
    Database db = OpenForWriting(path);
    db.Execute("CREATE TABLE files (id INTEGER PRIMARY KEY, name TEXT, data BLOB)");
    if (update) {
      db.Execute("BEGIN");
      Statement insert(db, "INSERT INTO files VALUES (?1, 'name', zeroblob(16))");
      for (int64_t row = 1; row <= rows; ++row) {
        insert.Bind(1, row);
        insert.Step();
        insert.Reset();
      }
      db.Execute("COMMIT");
    }
  }
  if (capture != Capture::kNone) {
    CaptureOptions options;
    options.db_path = path;
    options.blobs = capture == Capture::kBlobs;
    if (!sqlite_cdc::Setup(options).ok()) {
      state.SkipWithError("setup failed");
      return;
    }
  }
  Database db = OpenForWriting(path);
  Statement statement(
      db, update ? "UPDATE files SET data = ?2 WHERE id = ?1" : "INSERT INTO files VALUES (?1, 'name', ?2)");
  int64_t row = 0;
  for (auto _ : state) {
    ++row;
    statement.Bind(1, row);
    sqlite3_bind_blob(statement.handle(), 2, value.data(), size, SQLITE_STATIC);
    statement.Step();
    statement.Reset();
  }
}

const bool registered = [] {
  const std::pair<Capture, const char*> captures[] = {
      {Capture::kNone, "none"}, {Capture::kWithoutBlobs, "ours"}, {Capture::kBlobs, "ours-blobs"}};
  for (const int size : {16, 256, 4096, 65536, 1 << 20}) {
    for (const bool update : {false, true}) {
      for (const auto& [capture, name] : captures) {
        const int64_t iterations = size <= 4096 ? 1000 : size <= 65536 ? 300 : 40;
        Register(std::string("blob/") + (update ? "update" : "insert") + "/" + name + "/" + std::to_string(size),
                 iterations, [=](benchmark::State& state) { MeasureBlobWrites(state, update, capture, size); });
      }
    }
  }
  return true;
}();

}  // namespace
}  // namespace sqlite_cdc::bench
