#pragma once

#include <memory>
#include <string>

#include "sqlite_cdc/pipelined_handler.h"
#include "sqlite_cdc/status.h"

namespace sqlite_cdc {

class SqliteReplicaImpl;

// A live SQLite replica of the watched tables (`--output sqlite://PATH`): exactly once, and always a
// transactionally consistent prefix of the source for its readers.
//
// Batches are applied in transactions that also store the id of their last change in the
// replica's table `__cdc_replica`; ReadPosition reports it, so the engine resumes after it and
// nothing is applied twice. Pipelined: the batches sent since the last commit share one transaction,
// which commits (and confirms them) at the first Poll after the engine read the log to its end
// (OnCaughtUp), which is the end of a source transaction, or at a Poll with flush. So readers never
// see part of a source transaction, and a change is not held back; only a source transaction larger
// than the engine's window (EngineOptions::pipeline), which makes the engine flush in its middle,
// is seen in parts. A schema change commits what was sent before it first. Changes are applied as
// restore applies them (an insert or update writes the after-image by key, a delete deletes by key). Tables are created
// from the announced schema (keys kept; a rowid table keeps its rowids) and follow ADD, RENAME and DROP COLUMN; a
// change of columns it cannot follow stops delivery (kFatal) naming the table.
//
// A bootstrap is applied in one transaction: its first batch empties the watched tables and its end
// (OnSnapshotComplete) commits the snapshot and its position. Readers see the replica as it was
// until then, never half a snapshot; a bootstrap cut short leaves the replica as it was.
//
// The replica is opened in WAL mode, so readers never block it nor it them; commits are synced
// (synchronous=FULL): a replica that lost a commit would be behind what the log still holds.
// Called from one engine thread.
class SqliteReplica : public PipelinedHandler {
 public:
  // Opens the replica at `path`, creating the file and its position table if missing. Fails with
  // kInvalidArgument when the file is not an SQLite database or its position table is not ours.
  static Status Open(const std::string& path, std::unique_ptr<SqliteReplica>* replica);
  ~SqliteReplica() override;
  SqliteReplica(const SqliteReplica&) = delete;
  SqliteReplica& operator=(const SqliteReplica&) = delete;

  HandlerResult Send(const Changes& batch) override;
  Confirmations Poll(std::chrono::milliseconds wait, bool flush) override;
  void OnCaughtUp() override;
  HandlerResult OnSchema(const WatchedSchema& schema) override;
  HandlerResult OnSnapshotComplete(int64_t log_position) override;
  HandlerResult ReadPosition(SinkPosition* position) override;

 private:
  explicit SqliteReplica(std::unique_ptr<SqliteReplicaImpl> impl);
  std::unique_ptr<SqliteReplicaImpl> impl_;
};

}  // namespace sqlite_cdc
