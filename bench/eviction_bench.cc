// What capturing INSERT OR REPLACE evictions costs (issue #14 item 1): every INSERT into a table with
// a UNIQUE column now runs the BEFORE INSERT trigger's WHEN (a probe of the key, of each unique index
// and of the empty eviction table), and an INSERT that evicts a row logs a DELETE for it. Measured
// without triggers, with ours, with the shape before the rewrite (which missed evictions) and with
// the reference's (which misses them too).
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

// `without_evict_trigger`: ours with the BEFORE INSERT trigger dropped after setup, to show what its
// WHEN costs (evictions are then not captured).
void MeasureInserts(benchmark::State& state, Insert insert, Capture capture, bool without_evict_trigger = false) {
  testing::TempDir dir;
  const std::string path = dir.File("bench.db");
  {
    Database db = OpenForWriting(path);
    db.Execute(PreviousShapeTableSql());
    db.Execute("BEGIN");
    Statement fill(db, "INSERT INTO u (id, email, name, score) VALUES (?1, ?2, 'name', ?1 * 0.5)");
    for (int64_t row = 1; row <= kRows; ++row) {
      fill.Bind(1, row).Bind(2, Email(row));
      fill.Step();
      fill.Reset();
    }
    db.Execute("COMMIT");
  }
  if (const std::string error = InstallCapture(path, "u", capture); !error.empty()) {
    state.SkipWithError((std::string(CaptureName(capture)) + ": " + error).c_str());
    return;
  }
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

const bool registered = [] {
  for (const auto& [insert, name] : {std::pair{Insert::kNew, "insert-new"}, std::pair{Insert::kReplace, "replace"}}) {
    for (const Capture capture : {Capture::kNone, Capture::kOurs, Capture::kPrevious, Capture::kReference}) {
      Register(std::string("evict/") + name + "/" + CaptureName(capture) + "/4", kRows,
               [insert, capture](benchmark::State& state) { MeasureInserts(state, insert, capture); });
    }
  }
  Register("evict/insert-new/ours-without-evict-trigger/4", kRows,
           [](benchmark::State& state) { MeasureInserts(state, Insert::kNew, Capture::kOurs, true); });
  return true;
}();

}  // namespace
}  // namespace sqlite_cdc::bench
