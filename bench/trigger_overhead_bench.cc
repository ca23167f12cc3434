// What a single-row autocommit write costs the application: without triggers, with ours, and with
// the reference's trigger shape, at widths from 2 to 2000 columns.
#include "bench_db.h"
#include "support/temp_dir.h"

namespace sqlite_cdc::bench {
namespace {

enum class Write { kInsert, kUpdate, kDelete };

std::string WriteSql(Write write, int width) {
  std::string sql;
  switch (write) {
    case Write::kInsert:
      sql = "INSERT INTO t VALUES (?1";
      for (int column = 1; column < width; ++column) sql += ", ?" + std::to_string(column + 1);
      return sql + ")";
    case Write::kUpdate:
      sql = "UPDATE t SET ";
      for (int column = 1; column < width; ++column) {
        sql += (column > 1 ? ", c" : "c") + std::to_string(column) + " = ?" + std::to_string(column + 1);
      }
      return sql + " WHERE id = ?1";
    case Write::kDelete:
      return "DELETE FROM t WHERE id = ?1";
  }
  return "";
}

void MeasureWrites(benchmark::State& state, Write write, Capture capture, int width) {
  testing::TempDir dir;
  const std::string path = dir.File("bench.db");
  const int64_t rows = state.max_iterations;
  {
    Database db = OpenForWriting(path);
    db.Execute(WideTableSql("t", width));
    if (write != Write::kInsert) {  // rows to update or delete, written before any trigger exists
      db.Execute("BEGIN");
      Statement insert(db, WriteSql(Write::kInsert, width));
      for (int64_t row = 1; row <= rows; ++row) {
        insert.Bind(1, row);
        BindWideRow(insert, 2, width, row);
        insert.Step();
        insert.Reset();
      }
      db.Execute("COMMIT");
    }
  }
  if (const std::string error = InstallCapture(path, "t", capture); !error.empty()) {
    state.SkipWithError((std::string(CaptureName(capture)) + ": " + error).c_str());
    return;
  }
  Database db = OpenForWriting(path);
  Statement statement(db, WriteSql(write, width));
  int64_t row = 0;
  for (auto _ : state) {
    ++row;
    statement.Bind(1, row);
    if (write != Write::kDelete) BindWideRow(statement, 2, width, row + 7);
    statement.Step();
    statement.Reset();
  }
}

// Enough writes per repetition to average out a checkpoint, few enough that the slowest shape at
// 2000 columns stays within seconds.
int64_t IterationsFor(int width, Capture capture) {
  if (capture == Capture::kReference && width >= 512) return 20;
  if (width <= 64) return 2000;
  if (width <= 256) return 400;
  return 60;
}

const bool registered = [] {
  const std::pair<Write, const char*> writes[] = {
      {Write::kInsert, "insert"}, {Write::kUpdate, "update"}, {Write::kDelete, "delete"}};
  for (const int width : {2, 8, 32, 63, 64, 128, 256, 512, 1000, 2000}) {
    for (const auto& [write, write_name] : writes) {
      for (const Capture capture : {Capture::kNone, Capture::kOurs, Capture::kReference}) {
        const std::string name =
            std::string("trigger/") + write_name + "/" + CaptureName(capture) + "/" + std::to_string(width);
        Register(name, IterationsFor(width, capture),
                 [write, capture, width](benchmark::State& state) { MeasureWrites(state, write, capture, width); });
      }
    }
  }
  return true;
}();

}  // namespace
}  // namespace sqlite_cdc::bench
