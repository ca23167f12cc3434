#pragma once

#include <memory>
#include <string>

#include "sinks/postgres/postgres_url.h"
#include "sqlite_cdc/pipelined_handler.h"
#include "sqlite_cdc/status.h"

namespace sqlite_cdc::sinks {

class PostgresReplicaImpl;

// `--output postgres://...`: a live PostgreSQL replica of the watched tables, exactly once, and
// always a transactionally consistent prefix of the source for its readers (as SqliteReplica).
//
// Tables are created in the target's schema from the announced schema, named exactly as on the
// source, with types mapped by affinity (PgTypeOf) and the primary key kept; a rowid table gets a
// `_rowid bigint` key. ADD, RENAME and DROP COLUMN are followed with ALTER TABLE; a change it cannot
// follow (a column's type, the key) stops delivery (kFatal) naming the table.
//
// Changes are applied in PostgreSQL transactions that also store the id of their last change in
// the schema's table `__cdc_replica`, which ReadPosition reads: the engine resumes after it and
// nothing is applied twice. Batches sent since the last commit share one transaction, committed at
// the first Poll after the engine read the log to its end (OnCaughtUp) or at a Poll with flush. Within
// a batch, table by table, each table's consecutive inserts and updates become one multi-row INSERT
// ... ON CONFLICT (key) DO UPDATE, its consecutive deletes one DELETE ... WHERE key IN (...); log
// order is kept within each table (the tables do not refer to each other). A
// bootstrap is one transaction: its first batch empties the tables, its rows go in with COPY, and
// OnSnapshotComplete commits it with its position.
//
// A value its column's PostgreSQL type cannot hold (SQLite keeps text in an INTEGER column) is
// never dropped: delivery stops (kFatal) naming the table, column and key, with the log untouched.
//
// Failures: connection refused or lost, a server restarting, serialization failures, deadlocks and
// too many connections are kRetry (the open transaction is forgotten and the engine sends its batches
// again; the next call connects again); authentication, a missing privilege or schema are kFatal.
// A connection lost in the middle of a bootstrap loses its transaction: kFatal, run it again.
// Messages name the target by its redacted URL. Called from one engine thread; connects lazily.
class PostgresReplica : public PipelinedHandler {
 public:
  // `password` empty: libpq's own sources (PGPASSWORD, ~/.pgpass).
  PostgresReplica(PostgresTarget target, std::string password);
  ~PostgresReplica() override;
  PostgresReplica(const PostgresReplica&) = delete;
  PostgresReplica& operator=(const PostgresReplica&) = delete;

  HandlerResult Send(const Changes& batch) override;
  Confirmations Poll(std::chrono::milliseconds wait, bool flush) override;
  void OnCaughtUp() override;
  HandlerResult OnSchema(const WatchedSchema& schema) override;
  HandlerResult OnSnapshotComplete(int64_t log_position) override;
  HandlerResult ReadPosition(SinkPosition* position) override;

 private:
  std::unique_ptr<PostgresReplicaImpl> impl_;
};

}  // namespace sqlite_cdc::sinks
