#include "bench_db.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

#include "sqlite_cdc/setup.h"

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

// The reference's sqlJsonObject: json_object over chunks of 63 columns (json_object takes at most 127
// arguments), the chunks merged right to left, json_patch(c1, json_patch(c2, ... cN)).
std::string ReferenceImage(const std::vector<std::string>& columns, const std::string& row) {
  std::vector<std::string> chunks;
  for (size_t start = 0; start < columns.size(); start += 63) {
    std::string chunk = "json_object(";
    for (size_t column = start; column < std::min(columns.size(), start + 63); ++column) {
      chunk += (column == start ? "'" : ", '") + columns[column] + "', " + row + "." + columns[column];
    }
    chunks.push_back(chunk + ")");
  }
  std::string image = chunks.back();
  for (size_t chunk = chunks.size() - 1; chunk-- > 0;) image = "json_patch(" + chunks[chunk] + ", " + image + ")";
  return image;
}

std::vector<std::string> ColumnNames(Database& db, const std::string& table) {
  std::vector<std::string> names;
  Statement info(db, "SELECT name FROM pragma_table_info(?1) ORDER BY cid");
  info.Bind(1, table);
  while (info.Step()) names.emplace_back(info.Text(0));
  return names;
}

double Min(const std::vector<double>& values) { return *std::min_element(values.begin(), values.end()); }
double Max(const std::vector<double>& values) { return *std::max_element(values.begin(), values.end()); }

}  // namespace

void InstallReferenceTriggers(Database& db, const std::string& table) {
  const std::vector<std::string> columns = ColumnNames(db, table);
  db.Execute(
      "CREATE TABLE IF NOT EXISTS __cdc_log (id INTEGER PRIMARY KEY, timestamp TEXT NOT NULL, tablename TEXT NOT NULL,"
      " operation TEXT NOT NULL, before TEXT, after TEXT)");
  const std::string insert =
      "INSERT INTO __cdc_log (timestamp, tablename, operation, before, after) VALUES "
      "(datetime('now'), '" +
      table + "', ";
  db.Execute("CREATE TRIGGER IF NOT EXISTS " + table + "__cdc_insert AFTER INSERT ON " + table + " BEGIN " + insert +
             "'INSERT', NULL, " + ReferenceImage(columns, "NEW") + "); END");
  db.Execute("CREATE TRIGGER IF NOT EXISTS " + table + "__cdc_update AFTER UPDATE ON " + table + " BEGIN " + insert +
             "'UPDATE', " + ReferenceImage(columns, "OLD") + ", " + ReferenceImage(columns, "NEW") + "); END");
  db.Execute("CREATE TRIGGER IF NOT EXISTS " + table + "__cdc_delete AFTER DELETE ON " + table + " BEGIN " + insert +
             "'DELETE', " + ReferenceImage(columns, "OLD") + ", NULL); END");
}

const char* CaptureName(Capture capture) {
  switch (capture) {
    case Capture::kNone:
      return "none";
    case Capture::kOurs:
      return "ours";
    case Capture::kPrevious:
      return "previous";
    case Capture::kReference:
      return "reference";
  }
  return "";
}

const char* PreviousShapeTableSql() {
  return "CREATE TABLE u (id INTEGER PRIMARY KEY, email TEXT UNIQUE, name TEXT, score REAL)";
}

std::string InstallCapture(const std::string& path, const std::string& table, Capture capture) {
  try {
    switch (capture) {
      case Capture::kNone:
        return "";
      case Capture::kOurs: {
        CaptureOptions options;
        options.db_path = path;
        options.tables = {table};
        const Status status = sqlite_cdc::Setup(options);
        return status.ok() ? "" : status.message();
      }
      case Capture::kPrevious: {
        std::ifstream in(std::string(CDC_SOURCE_DIR) + "/bench/previous_shape.sql");
        std::stringstream sql;
        sql << in.rdbuf();
        if (!in || sql.str().empty()) return "cannot read bench/previous_shape.sql";
        Database::OpenExisting(path).Execute(sql.str());
        return "";
      }
      case Capture::kReference: {
        Database db = Database::OpenExisting(path);
        InstallReferenceTriggers(db, table);
        return "";
      }
    }
  } catch (const std::exception& error) {  // 2000 columns nest json_patch deeper than SQLite parses
    return std::string("cannot be installed: ") + error.what();
  }
  return "unknown capture";
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
