#pragma once

#include <benchmark/benchmark.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "database.h"
#include "sqlite_cdc/changes_handler.h"

// What the benchmarks share: databases set up the way users run them, and the registration
// conventions the report (report_main.cc) reads back.
namespace sqlite_cdc::bench {

using internal::Database;
using internal::Statement;

// WAL and synchronous=NORMAL: how applications that care about write speed run SQLite.
Database OpenForWriting(const std::string& path);

// "id INTEGER PRIMARY KEY" and width-1 more columns, alternately INTEGER and TEXT.
std::string WideTableSql(const std::string& table, int width);
// Binds row `row`'s values to parameters first..first+width-2 (every column but id).
void BindWideRow(Statement& statement, int first, int width, int64_t row);

// Exactly the triggers the reference tool (the Go sqlite-cdc) installs with --disable-subsec, for
// comparison: its log table (id INTEGER PRIMARY KEY, no key column), datetime('now'), no guards, images
// of json_object over 63-column chunks merged by nested json_patch (BLOB-declared columns, which it
// leaves out, are not used here). `table` must be a plain identifier: the reference does not quote
// it. At 2000 columns the nesting is deeper than SQLite's parser takes: that throws.
void InstallReferenceTriggers(Database& db, const std::string& table);

// How a benchmark's table is captured: not at all, by our setup (default options), by the triggers
// setup installed before the trigger rewrite (bench/previous_shape.sql, for PreviousShapeTableSql()'s
// table only), or by the reference's.
enum class Capture { kNone, kOurs, kPrevious, kReference };
const char* CaptureName(Capture capture);

// Installs `capture` on `table` of the (closed) database at `path`. Returns "" or why it could not.
std::string InstallCapture(const std::string& path, const std::string& table, Capture capture);

// The one table bench/previous_shape.sql was generated for: u (id, email UNIQUE, name, score).
const char* PreviousShapeTableSql();

// Every benchmark name has four parts, group/subject/variant/parameter, so the report can pair each
// figure with its baseline. Each runs `iterations` times per repetition, with min and max beside
// the median; its time is wall time, or what the body reports with SetIterationTime when
// `manual_time`.
benchmark::internal::Benchmark* Register(const std::string& name, int64_t iterations,
                                         std::function<void(benchmark::State&)> body, bool manual_time = false);

// A handler that only counts: what the engine costs with nothing downstream.
class CountingHandler : public ChangesHandler {
 public:
  HandlerResult Handle(const Changes& batch) override {
    received += static_cast<int64_t>(batch.size());
    return HandlerResult::Success();
  }
  int64_t received = 0;
};

// Seconds since `start`, for benchmarks that time themselves (UseManualTime).
double SecondsSince(std::chrono::steady_clock::time_point start);

}  // namespace sqlite_cdc::bench
