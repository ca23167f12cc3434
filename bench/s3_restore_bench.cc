// Restore time bounded by periodic snapshots (issue #19), against s3rver on loopback: a generated
// day of changes at a steady rate (kRate a second over a table of kRows rows, one object every two minutes, as
// s3rver answers 500 to a listing of more than about 1,000 objects)
// archived with one snapshot at the start of the day, and again with a snapshot every hour as
// --s3-snapshot-interval 1h leaves it; each restored (the reader and Restore() that
// sqlite-cdc-restore runs) to the day's last change, one day after the first snapshot. Without
// periodic snapshots the restore replays the whole day; with them, one snapshot and an hour.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>

#include "bench_db.h"
#include "sinks/s3/archive_layout.h"
#include "sinks/s3/gzip.h"
#include "sinks/s3/s3_archive_reader.h"
#include "sinks/s3/s3_client.h"
#include "support/s3_test_server.h"
#include "support/temp_dir.h"

namespace sqlite_cdc::bench {
namespace {

using sinks::AwsCredentials;
using sinks::S3Client;
using sinks::S3Location;
using std::chrono::milliseconds;

constexpr int kRows = 10000;
constexpr int kRate = 5;  // changes a second: 432,000 in the day
constexpr int kDaySeconds = 86400;
constexpr int64_t kDayStartMs = 1793491200000;  // 2026-11-01T00:00:00Z

std::string Time(int64_t ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char text[40];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &parts);
  char millis[8];
  std::snprintf(millis, sizeof(millis), ".%03dZ", static_cast<int>(ms % 1000));
  return text + std::string(millis);
}

std::string Row(int row, int64_t n) {
  return "{\"id\":" + std::to_string(row) + ",\"n\":" + std::to_string(n) + ",\"note\":\"row " + std::to_string(row) +
         " of the generated day\"}";
}

class DayArchive {
 public:
  DayArchive(const testing::S3TestServer& server, const std::string& prefix, bool hourly) {
    if (!sinks::ParseS3Url("s3://bench/" + prefix + "?endpoint=" + server.endpoint(), &location_).ok()) ok_ = false;
    S3Client client(location_, {"S3RVER", "S3RVER", ""}, milliseconds(30000));
    const auto put = [&](const std::string& name, const std::string& body) {
      if (!client.Put(location_.Key(name), body, "application/octet-stream").ok()) ok_ = false;
    };
    WatchedSchema schema;
    schema.tables.push_back(
        {"items", "CREATE TABLE items (id INTEGER PRIMARY KEY, n INTEGER, note TEXT)", {"id", "n", "note"}, {"id"}});
    put(sinks::SchemaObjectName(0), sinks::SchemaJson(schema, Time(kDayStartMs)));
    std::vector<int64_t> n(kRows + 1, 0);
    const auto snapshot = [&](int64_t position, int64_t at_ms) {
      const std::string run = sinks::SnapshotRunName(std::chrono::system_clock::time_point(milliseconds(at_ms)));
      Changes rows;
      for (int row = 1; row <= kRows; ++row) {
        Change change;
        change.table = "items";
        change.timestamp = Time(at_ms);
        change.key = "{\"id\":" + std::to_string(row) + "}";
        change.after = Row(row, n[row]);
        change.bootstrap = true;
        rows.push_back(std::move(change));
      }
      put(sinks::SnapshotPartName(run, 1), sinks::Gzip(sinks::EventLines(rows)));
      put(sinks::SnapshotManifestName(run), sinks::ManifestJson({position, 1, kRows, Time(at_ms)}));
    };
    snapshot(0, kDayStartMs);
    int64_t id = 0;
    Changes object;
    for (int second = 0; second < kDaySeconds; ++second) {
      if (second % 120 == 0 && !object.empty()) {
        put(sinks::ChangesObjectName(object.front().id, object.back().id), sinks::Gzip(sinks::EventLines(object)));
        object.clear();
      }
      if (hourly && second > 0 && second % 3600 == 0) snapshot(id, kDayStartMs + second * int64_t{1000} - 1);
      for (int k = 0; k < kRate; ++k) {
        const int row = static_cast<int>(++id % kRows) + 1;
        Change change;
        change.id = id;
        change.table = "items";
        change.timestamp = Time(kDayStartMs + second * int64_t{1000} + k * (1000 / kRate));
        change.operation = Operation::kUpdate;
        change.key = "{\"id\":" + std::to_string(row) + "}";
        change.before = Row(row, n[row]);
        n[row] = id;
        change.after = Row(row, n[row]);
        object.push_back(std::move(change));
      }
    }
    put(sinks::ChangesObjectName(object.front().id, object.back().id), sinks::Gzip(sinks::EventLines(object)));
    last_id_ = id;
  }

  bool ok() const { return ok_; }
  const S3Location& location() const { return location_; }
  int64_t last_id() const { return last_id_; }

 private:
  S3Location location_;
  int64_t last_id_ = 0;
  bool ok_ = true;
};

void RestoreTheDay(benchmark::State& state, bool hourly) {
  if (!std::filesystem::exists(std::string(CDC_SOURCE_DIR) + "/tests/node/node_modules/s3rver")) {
    return state.SkipWithError("s3rver is not installed (make node-deps)");
  }
  testing::S3TestServer server("bench");  // one per case: s3rver lists no more than about 1,000 objects
  const DayArchive archive(server, hourly ? "hourly" : "daily", hourly);
  if (!archive.ok()) return state.SkipWithError("could not write the generated archive");
  testing::TempDir dir;
  int run = 0;
  RestoreReport report;
  for (auto _ : state) {
    const std::string path = dir.File("restored-" + std::to_string(++run) + ".db");
    RestorePoint point;
    point.id = archive.last_id();
    sinks::S3ArchiveReader reader(
        std::make_unique<S3Client>(archive.location(), AwsCredentials{"S3RVER", "S3RVER", ""}, milliseconds(30000)),
        point);
    const auto start = std::chrono::steady_clock::now();
    report = RestoreReport{};
    const Status status = Restore(path, reader, point, &report);
    if (!status.ok()) return state.SkipWithError(status.ToString().c_str());
    state.SetIterationTime(SecondsSince(start));
    std::filesystem::remove(path);
  }
  state.counters["snapshot_rows"] = static_cast<double>(report.snapshot_rows);
  state.counters["changes_applied"] = static_cast<double>(report.changes_applied);
}

const bool registered = [] {
  Register(
      "s3restore/day/one-snapshot", 3, [](auto& state) { RestoreTheDay(state, false); }, true);
  Register(
      "s3restore/day/hourly-snapshots", 3, [](auto& state) { RestoreTheDay(state, true); }, true);
  return true;
}();

}  // namespace
}  // namespace sqlite_cdc::bench
