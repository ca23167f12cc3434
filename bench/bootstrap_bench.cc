// Bootstrap: every row of a large table through the engine, against a bare loop running the very
// snapshot query the engine runs.
#include "backlog.h"
#include "bench_db.h"
#include "catalog.h"
#include "schema/bootstrap_sql.h"
#include "sqlite_cdc/engine.h"
#include "sqlite_cdc/setup.h"

namespace sqlite_cdc::bench {
namespace {

// A table of `rows` rows (same shape as the drain backlog's), captured, with an empty log.
class BootstrapTable {
 public:
  explicit BootstrapTable(int64_t rows) : rows_(rows), path_(dir_.File("table.db")) {
    {
      Database db = OpenForWriting(path_);
      db.Execute("CREATE TABLE items (id INTEGER PRIMARY KEY, n INTEGER, note TEXT, amount REAL)");
      db.Execute("BEGIN");
      Statement insert(db, "INSERT INTO items (n, note, amount) VALUES (?1, ?2, ?1 * 0.25)");
      for (int64_t row = 1; row <= rows; ++row) {
        insert.Bind(1, row).Bind(2, "note number " + std::to_string(row));
        insert.Step();
        insert.Reset();
      }
      db.Execute("COMMIT");
    }
    CaptureOptions options;
    options.db_path = path_;
    if (!sqlite_cdc::Setup(options).ok()) throw std::runtime_error("cannot set up the bootstrap table");
  }
  int64_t rows() const { return rows_; }
  const std::string& path() const { return path_; }

 private:
  int64_t rows_;
  testing::TempDir dir_;
  std::string path_;
};

const BootstrapTable& SharedTable() {
  static const BootstrapTable table(BacklogSize(1'000'000));
  return table;
}

void Report(benchmark::State& state, int64_t rows, double seconds) {
  state.SetIterationTime(seconds);
  state.counters["rows_per_s"] = static_cast<double>(rows) / seconds;
  if (rows != SharedTable().rows()) state.SkipWithError("not every row was read");
}

void BootstrapWithEngine(benchmark::State& state) {
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    EngineOptions options;
    options.capture.db_path = SharedTable().path();
    options.batch_size = 1000;
    std::unique_ptr<Engine> engine;
    CountingHandler handler;
    if (!Engine::Open(options, &engine).ok() || !engine->Bootstrap(handler).ok()) {
      state.SkipWithError("the engine failed");
      return;
    }
    Report(state, handler.received, SecondsSince(start));
  }
}

void BootstrapFloor(benchmark::State& state) {
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    Database db = Database::OpenExisting(SharedTable().path());
    Statement select(db, schema::SnapshotSelectSql(internal::ReadTable(db, "items"), /*blobs=*/false));
    int64_t rows = 0, touched = 0;
    while (select.Step()) {
      touched += static_cast<int64_t>(select.Text(0).size() + select.Text(1).size());
      ++rows;
    }
    benchmark::DoNotOptimize(touched);
    Report(state, rows, SecondsSince(start));
  }
}

const bool registered = [] {
  Register("bootstrap/table/floor/1000", 1, BootstrapFloor, true);
  Register("bootstrap/table/engine/1000", 1, BootstrapWithEngine, true);
  return true;
}();

}  // namespace
}  // namespace sqlite_cdc::bench
