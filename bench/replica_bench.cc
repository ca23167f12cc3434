// The live SQLite replica (--output sqlite://): a backlog of inserts drained into it through the
// engine, beside the floor: a bare loop of the same upserts (INSERT OR REPLACE of the same values,
// the position updated in each transaction, WAL and synchronous=FULL as the replica runs) into a
// local SQLite file, committing per batch of 256 and per 16,384 changes (how the replica groups
// batches while a backlog drains). Also the engine into a handler that does nothing, so the figure
// splits into reading the log and applying to the replica.
#include <filesystem>

#include "backlog.h"
#include "bench_db.h"
#include "sqlite_cdc/engine.h"
#include "sqlite_cdc/sqlite_replica.h"

namespace sqlite_cdc::bench {
namespace {

constexpr size_t kBatchSize = 256;

const Backlog& SharedBacklog() {
  static const Backlog backlog(BacklogSize(200'000));
  return backlog;
}

void Report(benchmark::State& state, int64_t rows, double seconds) {
  state.SetIterationTime(seconds);
  state.counters["events_per_s"] = static_cast<double>(rows) / seconds;
  if (rows != SharedBacklog().changes()) state.SkipWithError("not every change arrived");
}

void DrainInto(benchmark::State& state, bool replica) {
  for (auto _ : state) {
    testing::TempDir dir;
    const std::string path = SharedBacklog().CopyTo(dir);
    const auto start = std::chrono::steady_clock::now();
    EngineOptions options;
    options.capture.db_path = path;
    options.batch_size = kBatchSize;
    std::unique_ptr<Engine> engine;
    CountingHandler counting;
    std::unique_ptr<SqliteReplica> sqlite;
    if (replica && !SqliteReplica::Open(dir.File("replica.db"), &sqlite).ok()) {
      state.SkipWithError("cannot open the replica");
      return;
    }
    ChangesHandler& handler = replica ? static_cast<ChangesHandler&>(*sqlite) : counting;
    if (!Engine::Open(options, &engine).ok() || !engine->DrainOnce(handler).ok()) {
      state.SkipWithError("the engine failed");
      return;
    }
    const double seconds = SecondsSince(start);
    int64_t rows = counting.received;
    if (replica) rows = Database::OpenExisting(dir.File("replica.db")).QueryInt("SELECT count(*) FROM items");
    Report(state, rows, seconds);
  }
}

void BareUpserts(benchmark::State& state, int64_t per_transaction) {
  for (auto _ : state) {
    testing::TempDir dir;
    const auto start = std::chrono::steady_clock::now();
    Database db = Database::OpenOrCreate(dir.File("replica.db"));
    db.QueryText("PRAGMA journal_mode=WAL");
    db.Execute("PRAGMA synchronous=FULL");
    db.Execute("CREATE TABLE items (id INTEGER PRIMARY KEY, n INTEGER, note TEXT, amount REAL)");
    db.Execute("CREATE TABLE position (singleton INTEGER PRIMARY KEY, log_id INTEGER)");
    db.Execute("INSERT INTO position VALUES (1, 0)");
    Statement upsert(db, "INSERT OR REPLACE INTO items (id, n, note, amount) VALUES (?1, ?2, ?3, ?4)");
    Statement position(db, "UPDATE position SET log_id = ?1");
    const int64_t rows = SharedBacklog().changes();
    for (int64_t first = 1; first <= rows; first += per_transaction) {
      db.Execute("BEGIN IMMEDIATE");
      const int64_t last = std::min<int64_t>(rows, first + per_transaction - 1);
      for (int64_t row = first; row <= last; ++row) {
        upsert.Bind(1, row).Bind(2, row).Bind(3, "note number " + std::to_string(row));
        sqlite3_bind_double(upsert.handle(), 4, static_cast<double>(row) * 0.25);
        upsert.Step();
        upsert.Reset();
      }
      position.Bind(1, last);
      position.Step();
      position.Reset();
      db.Execute("COMMIT");
    }
    Report(state, db.QueryInt("SELECT count(*) FROM items"), SecondsSince(start));
  }
}

const bool registered = [] {
  const std::string size = std::to_string(kBatchSize);
  Register(
      "replica/backlog/floor/" + size, 1, [](auto& state) { BareUpserts(state, kBatchSize); }, true);
  Register(
      "replica/backlog/floor-grouped/" + size, 1, [](auto& state) { BareUpserts(state, 16384); }, true);
  Register(
      "replica/backlog/engine-only/" + size, 1, [](auto& state) { DrainInto(state, false); }, true);
  Register(
      "replica/backlog/replica/" + size, 1, [](auto& state) { DrainInto(state, true); }, true);
  return true;
}();

}  // namespace
}  // namespace sqlite_cdc::bench
