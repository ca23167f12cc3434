#pragma once

#include <benchmark/benchmark.h>

#include <chrono>
#include <functional>
#include <string>

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

// Triggers in the shape of the reference implementation, for comparison: images built with
// json_object over chunks of 63 columns merged by nested json_patch, BLOB columns left out, no key,
// datetime('now','subsec') as the timestamp, into a log table of its own.
void InstallReferenceTriggers(Database& db, const std::string& table, int width);

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
