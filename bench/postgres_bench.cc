// The PostgreSQL replica (--output postgres://) into a local PostgreSQL 15 started for the run: a
// bootstrap of a table and a backlog of inserts drained through the engine, each beside its floor
// through libpq in the same run: a bare COPY of the same rows in one transaction, and a bare loop of
// the same multi-row upserts (256 rows a statement, a commit per 16,384 changes with the position row
// updated in it, as the replica groups batches while a backlog drains).
#include <libpq-fe.h>

#include "backlog.h"
#include "bench_db.h"
#include "sinks/postgres/pg_connection.h"
#include "sinks/postgres/postgres_replica.h"
#include "sinks/postgres/postgres_url.h"
#include "sqlite_cdc/engine.h"
#include "support/postgres_server.h"

namespace sqlite_cdc::bench {
namespace {

constexpr size_t kBatchSize = 256;
constexpr int64_t kGroup = 16384;
constexpr char kItems[] = "(id bigint PRIMARY KEY, n bigint, note text, amount double precision)";

const Backlog& SharedBacklog() {
  static const Backlog backlog(BacklogSize(200'000));
  return backlog;
}

testing::PostgresServer& Server() {
  static testing::PostgresServer server;
  return server;
}

std::unique_ptr<sinks::PgConnection> Connect() { return sinks::PgConnection::Connect(Server().Url("cdc"), ""); }

int64_t Count(const std::string& schema) {
  const auto rows = Server().Query("SELECT count(*) FROM " + schema + ".items");
  return rows.empty() ? 0 : std::stoll(rows[0][0].value_or("0"));
}

void Report(benchmark::State& state, int64_t rows, double seconds) {
  state.SetIterationTime(seconds);
  state.counters["rows_per_s"] = static_cast<double>(rows) / seconds;
  if (rows != SharedBacklog().changes()) state.SkipWithError("not every row arrived");
}

// The engine into the replica: a bootstrap of the backlog's table, or the backlog drained.
void EngineInto(benchmark::State& state, bool bootstrap) {
  for (auto _ : state) {
    testing::TempDir dir;
    const std::string path = SharedBacklog().CopyTo(dir);
    const std::string schema = Server().NewSchema();
    sinks::PostgresTarget target;
    if (!sinks::ParsePostgresUrl(Server().Url("cdc", schema), &target).ok()) {
      state.SkipWithError("bad URL");
      return;
    }
    const auto start = std::chrono::steady_clock::now();
    sinks::PostgresReplica replica(target, "");
    EngineOptions options;
    options.capture.db_path = path;
    options.batch_size = bootstrap ? 1000 : kBatchSize;
    std::unique_ptr<Engine> engine;
    if (!Engine::Open(options, &engine).ok()) {
      state.SkipWithError("the engine failed to open");
      return;
    }
    const Status status = bootstrap ? engine->Bootstrap(replica) : engine->DrainOnce(replica);
    if (!status.ok()) {
      state.SkipWithError(status.message().c_str());
      return;
    }
    const double seconds = SecondsSince(start);
    Report(state, Count(schema), seconds);
  }
}

// The floor of a bootstrap: one COPY of the same rows in one transaction.
void BareCopy(benchmark::State& state) {
  for (auto _ : state) {
    const std::string schema = Server().NewSchema();
    const auto start = std::chrono::steady_clock::now();
    auto conn = Connect();
    conn->Execute("BEGIN; CREATE TABLE " + schema + ".items " + kItems);
    std::string data;
    const int64_t rows = SharedBacklog().changes();
    for (int64_t row = 1; row <= rows; ++row) {
      data += std::to_string(row) + '\t' + std::to_string(row) + "\tnote number " + std::to_string(row) + '\t' +
              std::to_string(static_cast<double>(row) * 0.25) + '\n';
    }
    conn->CopyIn("COPY " + schema + ".items FROM STDIN", data);
    conn->Execute("COMMIT");
    Report(state, Count(schema), SecondsSince(start));
  }
}

// A multi-row upsert of `rows` rows, as the replica sends them.
std::string UpsertSql(const std::string& schema, size_t rows) {
  std::string sql = "INSERT INTO " + schema + ".items (id, n, note, amount) VALUES ";
  for (size_t i = 0; i < rows; ++i) {
    sql += std::string(i ? ", " : "") + "($" + std::to_string(4 * i + 1) + "::bigint, $" + std::to_string(4 * i + 2) +
           "::bigint, $" + std::to_string(4 * i + 3) + "::text, $" + std::to_string(4 * i + 4) + "::double precision)";
  }
  return sql + " ON CONFLICT (id) DO UPDATE SET n = EXCLUDED.n, note = EXCLUDED.note, amount = EXCLUDED.amount";
}

// The floor of the change stream: the same upserts, with nothing of the engine around them.
void BareUpserts(benchmark::State& state) {
  for (auto _ : state) {
    const std::string schema = Server().NewSchema();
    const auto start = std::chrono::steady_clock::now();
    auto conn = Connect();
    conn->Execute("CREATE TABLE " + schema + ".items " + kItems + "; CREATE TABLE " + schema +
                  ".position (singleton integer PRIMARY KEY, log_id bigint); INSERT INTO " + schema +
                  ".position VALUES (1, 0)");
    const std::string full = UpsertSql(schema, kBatchSize);
    const int64_t rows = SharedBacklog().changes();
    conn->Execute("BEGIN");
    for (int64_t first = 1; first <= rows; first += kBatchSize) {
      const int64_t last = std::min<int64_t>(rows, first + kBatchSize - 1);
      std::vector<sinks::PgParam> params;
      for (int64_t id = first; id <= last; ++id) {
        params.insert(params.end(), {std::to_string(id), std::to_string(id), "note number " + std::to_string(id),
                                     std::to_string(static_cast<double>(id) * 0.25)});
      }
      const size_t count = static_cast<size_t>(last - first + 1);
      conn->Query(count == kBatchSize ? full : UpsertSql(schema, count), params);
      if (last % kGroup == 0 || last == rows) {
        conn->Query("UPDATE " + schema + ".position SET log_id = $1", {std::to_string(last)});
        conn->Execute("COMMIT; BEGIN");
      }
    }
    conn->Execute("COMMIT");
    Report(state, Count(schema), SecondsSince(start));
  }
}

const bool registered = [] {
  Register("postgres/bootstrap/floor/1000", 1, BareCopy, true);
  Register(
      "postgres/bootstrap/replica/1000", 1, [](auto& state) { EngineInto(state, true); }, true);
  const std::string size = std::to_string(kBatchSize);
  Register("postgres/backlog/floor/" + size, 1, BareUpserts, true);
  Register(
      "postgres/backlog/replica/" + size, 1, [](auto& state) { EngineInto(state, false); }, true);
  return true;
}();

}  // namespace
}  // namespace sqlite_cdc::bench
