#include "bench_db.h"

#include <algorithm>

namespace sqlite_cdc::bench {

Database OpenForWriting(const std::string& path) {
  Database db = Database::OpenOrCreate(path);
  db.QueryText("PRAGMA journal_mode=WAL");
  db.Execute("PRAGMA synchronous=NORMAL");
  return db;
}

std::string WideTableSql(const std::string& table, int width) {
  std::string sql = "CREATE TABLE \"" + table + "\" (id INTEGER PRIMARY KEY";
  for (int column = 1; column < width; ++column) {
    sql += ", c" + std::to_string(column) + (column % 2 ? " INTEGER" : " TEXT");
  }
  return sql + ")";
}

void BindWideRow(Statement& statement, int first, int width, int64_t row) {
  for (int column = 1; column < width; ++column) {
    const int parameter = first + column - 1;
    if (column % 2) {
      statement.Bind(parameter, row * 1000 + column);
    } else {
      statement.Bind(parameter, "value " + std::to_string(row) + "/" + std::to_string(column));
    }
  }
}

namespace {

// json_object can take 127 arguments: 63 name/value pairs per call, the rest merged in by json_patch,
// each merge re-reading the object built so far.
std::string ReferenceImage(int width, const std::string& row) {
  std::string image;
  for (int start = 0; start < width; start += 63) {
    std::string chunk = "json_object(";
    for (int column = start; column < std::min(width, start + 63); ++column) {
      const std::string name = column == 0 ? "id" : "c" + std::to_string(column);
      chunk += (column == start ? "'" : ", '") + name + "', " + row + "." + name;
    }
    chunk += ")";
    image = image.empty() ? chunk : "json_patch(" + image + ", " + chunk + ")";
  }
  return image;
}

double Min(const std::vector<double>& values) { return *std::min_element(values.begin(), values.end()); }
double Max(const std::vector<double>& values) { return *std::max_element(values.begin(), values.end()); }

}  // namespace

void InstallReferenceTriggers(Database& db, const std::string& table, int width) {
  db.Execute(
      "CREATE TABLE IF NOT EXISTS reference_log (id INTEGER PRIMARY KEY AUTOINCREMENT, timestamp TEXT,"
      " tablename TEXT, operation TEXT, before TEXT, after TEXT)");
  const std::string insert = "INSERT INTO reference_log (timestamp, tablename, operation, before, after) VALUES "
                             "(datetime('now','subsec'), '" + table + "', ";
  db.Execute("CREATE TRIGGER reference_insert AFTER INSERT ON \"" + table + "\" BEGIN " + insert + "'INSERT', NULL, " +
             ReferenceImage(width, "NEW") + "); END");
  db.Execute("CREATE TRIGGER reference_update AFTER UPDATE ON \"" + table + "\" BEGIN " + insert + "'UPDATE', " +
             ReferenceImage(width, "OLD") + ", " + ReferenceImage(width, "NEW") + "); END");
  db.Execute("CREATE TRIGGER reference_delete AFTER DELETE ON \"" + table + "\" BEGIN " + insert + "'DELETE', " +
             ReferenceImage(width, "OLD") + ", NULL); END");
}

benchmark::internal::Benchmark* Register(const std::string& name, int64_t iterations,
                                         std::function<void(benchmark::State&)> body, bool manual_time) {
  auto* benchmark = benchmark::RegisterBenchmark(name.c_str(), [body](benchmark::State& state) { body(state); });
  if (manual_time) {
    benchmark->UseManualTime();
  } else {
    benchmark->UseRealTime();
  }
  return benchmark->Iterations(iterations)
      ->Unit(benchmark::kMicrosecond)
      ->ComputeStatistics("min", Min)
      ->ComputeStatistics("max", Max)
      ->DisplayAggregatesOnly(true);
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace sqlite_cdc::bench
