// What an UPDATE that changes nothing costs (issue #14 item 9): ORMs save a row by writing every
// column back, mostly with the values it already holds. Our update trigger's WHEN compares the old and
// new images and skips such an UPDATE; the reference logs both images of it. Beside it, the same
// UPDATE with one column changed, which both log.
#include "bench_db.h"
#include "support/temp_dir.h"

namespace sqlite_cdc::bench {
namespace {

enum class Update {
  kNoop,    // every column written back with the value it holds
  kChange,  // the same, with c1 changed
};

std::string InsertSql(int width) {
  std::string sql = "INSERT INTO t VALUES (?1";
  for (int column = 1; column < width; ++column) sql += ", ?" + std::to_string(column + 1);
  return sql + ")";
}

std::string UpdateEveryColumnSql(int width) {
  std::string sql = "UPDATE t SET ";
  for (int column = 1; column < width; ++column) {
    sql += (column > 1 ? ", c" : "c") + std::to_string(column) + " = ?" + std::to_string(column + 1);
  }
  return sql + " WHERE id = ?1";
}

void MeasureUpdates(benchmark::State& state, Update update, Capture capture, int width) {
  testing::TempDir dir;
  const std::string path = dir.File("bench.db");
  const int64_t rows = state.max_iterations;
  {
    Database db = OpenForWriting(path);
    db.Execute(WideTableSql("t", width));
    db.Execute("BEGIN");
    Statement insert(db, InsertSql(width));
    for (int64_t row = 1; row <= rows; ++row) {
      insert.Bind(1, row);
      BindWideRow(insert, 2, width, row);
      insert.Step();
      insert.Reset();
    }
    db.Execute("COMMIT");
  }
  if (const std::string error = InstallCapture(path, "t", capture); !error.empty()) {
    state.SkipWithError((std::string(CaptureName(capture)) + ": " + error).c_str());
    return;
  }
  Database db = OpenForWriting(path);
  Statement statement(db, UpdateEveryColumnSql(width));
  int64_t row = 0;
  for (auto _ : state) {
    ++row;
    statement.Bind(1, row);
    BindWideRow(statement, 2, width, row);
    if (update == Update::kChange) statement.Bind(2, -row);  // c1, an INTEGER column
    statement.Step();
    statement.Reset();
  }
}

int64_t IterationsFor(int width, Capture capture) {
  if (width <= 64) return 2000;
  return capture == Capture::kReference ? 20 : 60;
}

const bool registered = [] {
  for (const auto& [update, name] :
       {std::pair{Update::kNoop, "update-noop"}, std::pair{Update::kChange, "update-change"}}) {
    for (const int width : {4, 64, 1000}) {
      for (const Capture capture : {Capture::kNone, Capture::kOurs, Capture::kReference}) {
        Register(std::string("noop/") + name + "/" + CaptureName(capture) + "/" + std::to_string(width),
                 IterationsFor(width, capture),
                 [update, capture, width](benchmark::State& state) { MeasureUpdates(state, update, capture, width); });
      }
    }
  }
  return true;
}();

}  // namespace
}  // namespace sqlite_cdc::bench
