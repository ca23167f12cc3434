// What capturing REPLACE evictions costs (issue #14 item 1): every INSERT into a table with a UNIQUE
// column runs the BEFORE INSERT trigger's WHEN (a probe of the key, of each unique index and of the
// empty eviction table), and an INSERT that evicts a row logs a DELETE for it. Every UPDATE runs two
// WHENs (the BEFORE UPDATE stash's, which probes a unique index only when the UPDATE changed its
// columns, and the AFTER UPDATE's probe of the eviction table). Measured without triggers, with
// ours, with ours as it was before UPDATE evictions were captured, with the shape before the
// rewrite (which missed evictions) and with the reference's (which misses them too).
#include "bench_db.h"
#include "support/temp_dir.h"

namespace sqlite_cdc::bench {
namespace {

enum class Insert {
  kNew,      // a row that conflicts with nothing
  kReplace,  // INSERT OR REPLACE with a new id and the email of an existing row, which it evicts
};

constexpr int64_t kRows = 2000;  // rows in the table before the writes, and writes per repetition

std::string Email(int64_t row) { return "user" + std::to_string(row) + "@example.com"; }

// Table u with rows 1..`rows` (row i's email Email(i)), written before `capture` is installed.
// False (the benchmark skipped) when the capture cannot be installed.
bool FillAndCapture(benchmark::State& state, const std::string& path, int64_t rows, Capture capture) {
  {
    Database db = OpenForWriting(path);
    db.Execute(PreviousShapeTableSql());
    db.Execute("BEGIN");
    Statement fill(db, "INSERT INTO u (id, email, name, score) VALUES (?1, ?2, 'name', ?1 * 0.5)");
    for (int64_t row = 1; row <= rows; ++row) {
      fill.Bind(1, row).Bind(2, Email(row));
      fill.Step();
      fill.Reset();
    }
    db.Execute("COMMIT");
  }
  if (const std::string error = InstallCapture(path, "u", capture); !error.empty()) {
    state.SkipWithError((std::string(CaptureName(capture)) + ": " + error).c_str());
    return false;
  }
  return true;
}

// `without_evict_trigger`: ours with the BEFORE INSERT trigger dropped after setup, to show what its
// WHEN costs (evictions are then not captured).
void MeasureInserts(benchmark::State& state, Insert insert, Capture capture, bool without_evict_trigger = false) {
  testing::TempDir dir;
  const std::string path = dir.File("bench.db");
  if (!FillAndCapture(state, path, kRows, capture)) return;
  Database db = OpenForWriting(path);
  if (without_evict_trigger) db.Execute("DROP TRIGGER \"u__cdc_evict\"");
  Statement statement(db, std::string(insert == Insert::kNew ? "INSERT" : "INSERT OR REPLACE") +
                              " INTO u (id, email, name, score) VALUES (?1, ?2, 'other', ?1 * 0.25)");
  int64_t row = 0;
  for (auto _ : state) {
    ++row;
    statement.Bind(1, kRows + row).Bind(2, insert == Insert::kNew ? Email(kRows + row) : Email(row));
    statement.Step();
    statement.Reset();
  }
  if (db.QueryInt("SELECT count(*) FROM u") != (insert == Insert::kNew ? kRows + row : kRows)) {
    state.SkipWithError("the writes did not add or replace rows as meant");
  }
}

enum class Update {
  kOtherColumn,   // a column no unique index holds: the stash's WHEN looks no further
  kUniqueColumn,  // the UNIQUE column, to a value no row holds: the stash's WHEN probes its index
  kReplace,       // UPDATE OR REPLACE taking another row's email, which it evicts
};

// `without_update_eviction`: ours with the two UPDATE eviction triggers dropped after setup, as
// the capture was before it logged UPDATE OR REPLACE evictions.
void MeasureUpdates(benchmark::State& state, Update update, Capture capture, bool without_update_eviction = false) {
  testing::TempDir dir;
  const std::string path = dir.File("bench.db");
  // Rows 1..2n: the writes update row i (i <= n); a replace takes row n + i's email and evicts it.
  const int64_t rows = 2 * state.max_iterations;
  if (!FillAndCapture(state, path, rows, capture)) return;
  Database db = OpenForWriting(path);
  if (without_update_eviction) {
    db.Execute("DROP TRIGGER \"u__cdc_update_stash\"");
    db.Execute("DROP TRIGGER \"u__cdc_update_evicted\"");
  }
  const char* sql = update == Update::kOtherColumn    ? "UPDATE u SET name = ?2, score = ?1 * 0.25 WHERE id = ?1"
                    : update == Update::kUniqueColumn ? "UPDATE u SET email = ?2 WHERE id = ?1"
                                                      : "UPDATE OR REPLACE u SET email = ?2 WHERE id = ?1";
  Statement statement(db, sql);
  int64_t row = 0;
  for (auto _ : state) {
    ++row;
    statement.Bind(1, row);
    if (update == Update::kOtherColumn) statement.Bind(2, "other " + std::to_string(row));
    if (update == Update::kUniqueColumn) statement.Bind(2, Email(rows + row));
    if (update == Update::kReplace) statement.Bind(2, Email(rows / 2 + row));
    statement.Step();
    statement.Reset();
  }
  if (db.QueryInt("SELECT count(*) FROM u") != (update == Update::kReplace ? rows - row : rows)) {
    state.SkipWithError("the writes did not update or replace rows as meant");
  }
}

const bool registered = [] {
  for (const auto& [insert, name] : {std::pair{Insert::kNew, "insert-new"}, std::pair{Insert::kReplace, "replace"}}) {
    for (const Capture capture : {Capture::kNone, Capture::kOurs, Capture::kPrevious, Capture::kReference}) {
      Register(std::string("evict/") + name + "/" + CaptureName(capture) + "/4", kRows,
               [insert, capture](benchmark::State& state) { MeasureInserts(state, insert, capture); });
    }
  }
  Register("evict/insert-new/ours-without-evict-trigger/4", kRows,
           [](benchmark::State& state) { MeasureInserts(state, Insert::kNew, Capture::kOurs, true); });
  for (const auto& [update, name] :
       {std::pair{Update::kOtherColumn, "update-other"}, std::pair{Update::kUniqueColumn, "update-unique"},
        std::pair{Update::kReplace, "update-replace"}}) {
    for (const Capture capture : {Capture::kNone, Capture::kOurs, Capture::kReference}) {
      Register(std::string("evict/") + name + "/" + CaptureName(capture) + "/4", kRows,
               [update, capture](benchmark::State& state) { MeasureUpdates(state, update, capture); });
    }
    Register(std::string("evict/") + name + "/ours-before-update-eviction/4", kRows,
             [update](benchmark::State& state) { MeasureUpdates(state, update, Capture::kOurs, true); });
  }
  return true;
}();

}  // namespace
}  // namespace sqlite_cdc::bench
