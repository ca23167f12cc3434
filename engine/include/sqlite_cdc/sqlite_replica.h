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
// nothing is applied twice. Pipelined: while the engine has more to send (a backlog), several
// batches share one transaction (up to 16,384 changes or 100 ms), confirmed when it commits; when
// the engine has read the log to its end (Poll with flush), what was sent commits at once. Changes are applied as
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
  HandlerResult OnSchema(const WatchedSchema& schema) override;
  HandlerResult OnSnapshotComplete(int64_t log_position) override;
  HandlerResult ReadPosition(SinkPosition* position) override;

 private:
  explicit SqliteReplica(std::unique_ptr<SqliteReplicaImpl> impl);
  std::unique_ptr<SqliteReplicaImpl> impl_;
};

}  // namespace sqlite_cdc
