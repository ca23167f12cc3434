#include "sqlite_cdc/sqlite_replica.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <set>
#include <thread>

#include "catalog.h"
#include "database.h"
#include "guarded.h"
#include "info_log.h"
#include "restore_applier.h"
#include "schema/identifier.h"
#include "schema/replica_sql.h"

namespace sqlite_cdc {

using internal::Database;

namespace {

constexpr char kPositionTable[] = "__cdc_replica";

// One row: the last log id applied and the log it belongs to (WatchedSchema::log_epoch), whether a
// snapshot completed, and when (the source's time of the last change applied, and the replica's own
// clock), for readers who want to know how current the replica is.
constexpr char kCreatePositionTable[] =
    "CREATE TABLE IF NOT EXISTS __cdc_replica ("
    "singleton INTEGER PRIMARY KEY CHECK (singleton = 1), "
    "log_id INTEGER, "
    "snapshot TEXT NOT NULL CHECK (snapshot IN ('none', 'complete')), "
    "source_timestamp TEXT, "
    "applied_at TEXT NOT NULL, "
    "log_epoch TEXT)";
// Columns renamed on the source, old name to current: changes logged before the triggers followed
// a RENAME COLUMN still name the old column, also after a restart.
constexpr char kCreateRenamesTable[] =
    "CREATE TABLE IF NOT EXISTS __cdc_replica_renamed ("
    "tablename TEXT NOT NULL, old_name TEXT NOT NULL, new_name TEXT NOT NULL, PRIMARY KEY (tablename, old_name))";
constexpr char kAppliedAt[] = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

// What the source's CREATE statement makes of a table, read from a scratch in-memory database: the
// columns the replica's copy must have, with their declared types.
schema::TableSchema SourceTable(const TableDefinition& definition) {
  Database scratch = Database::OpenOrCreate(":memory:");
  scratch.Execute(definition.create_sql);
  return internal::ReadTable(scratch, definition.name);
}

std::vector<std::string> ColumnNames(const schema::TableSchema& table) {
  std::vector<std::string> names;
  for (const schema::Column& column : table.columns) names.push_back(column.name);
  return names;
}

std::string Joined(const std::vector<std::string>& names) {
  std::string joined;
  for (const std::string& name : names) joined += (joined.empty() ? "" : ", ") + name;
  return joined;
}

// The replica's file, created if missing; a path SQLite cannot open is the caller's to fix.
Database OpenReplicaFile(const std::string& path) {
  try {
    return Database::OpenOrCreate(path);
  } catch (const internal::DatabaseError& error) {
    throw internal::InvalidInput(std::string("replica: ") + error.what());
  }
}

// Runs `body`; a busy, locked or full replica is worth a retry, anything else is not.
template <typename Body>
HandlerResult Outcome(Body&& body) {
  try {
    body();
    return HandlerResult::Success();
  } catch (const internal::DatabaseError& error) {
    if (error.transient()) return HandlerResult::Retry(std::string("replica: ") + error.what());
    return HandlerResult::Fatal(std::string("replica: ") + error.what());
  } catch (const std::exception& error) {
    return HandlerResult::Fatal(std::string("replica: ") + error.what());
  }
}

}  // namespace

class SqliteReplicaImpl {
 public:
  SqliteReplicaImpl(std::string path, Database db) : path_(std::move(path)), db_(std::move(db)), log_(nullptr) {}

  void FollowSchema(const WatchedSchema& schema) {
    CheckTransactionsAlive();
    // The group's batches were read before the change: they go first, under the old columns, so that
    // a failure after the ALTERs cannot take them back together with the ALTERs.
    if (group_) CommitGroup();
    Atomically([&] {
      for (const TableDefinition& definition : schema.tables) {
        if (!internal::TableExists(db_, definition.name)) {
          db_.Execute(definition.create_sql);
          continue;
        }
        const schema::TableSchema have = internal::ReadTable(db_, definition.name);
        const schema::TableSchema want = SourceTable(definition);
        const auto following = schema::FollowColumnsSql(have, want);
        if (!following) {
          throw internal::InvalidInput("cannot follow table " + definition.name + " from (" +
                                       Joined(ColumnNames(have)) + ") to (" + Joined(ColumnNames(want)) +
                                       ") with ALTER TABLE (columns, types or key changed together): take a new "
                                       "replica (a new file, with --bootstrap)");
        }
        for (const std::string& step : following->statements) {
          log_.Info("replica {}: {}", path_, step);
          db_.Execute(step);
        }
        for (const auto& [old_name, new_name] : following->renamed) RememberRename(definition.name, old_name, new_name);
      }
    });
    applier_.reset();  // statements of the old columns
    applier_ = std::make_unique<internal::RestoreApplier>(db_, WithTablesNoLongerWatched(schema), Renames());
    log_epoch_ = schema.log_epoch;
    tables_.clear();
    for (const TableDefinition& definition : schema.tables) tables_.push_back(definition.name);
  }

  // Applies `batch` in the open group (opening one), or in the snapshot's transaction. On a failure
  // the group is rolled back: every batch sent since the last commit is forgotten.
  void Take(const Changes& batch) {
    RequireSchema();
    CheckTransactionsAlive();
    ReportLostGroup();
    if (!batch.empty() && batch.front().bootstrap) {
      ApplySnapshotPart(batch);
      ++confirmable_;  // only the snapshot's end commits it; until then nothing of it is visible
      return;
    }
    try {
      if (!group_) group_.emplace(db_);
      ApplyEach(batch);
    } catch (...) {
      CloseGroup();
      throw;
    }
    ++group_batches_;
    if (!batch.empty()) last_ = batch.back();
    caught_up_ = false;  // a batch read after the engine caught up: the group no longer ends at a commit
  }

  // What was sent ends where a source transaction ended.
  void CaughtUp() { caught_up_ = true; }

  // Commits the group after the engine caught up with the log, or when it flushes; returns how many
  // batches are now confirmed.
  size_t Confirm(bool flush) {
    // Groups committed before the lost one are confirmed first, then the loss is reported.
    if (group_lost_ && confirmable_ == 0) ReportLostGroup();
    const bool commit = flush || caught_up_;
    caught_up_ = false;
    if (group_ && commit) {
      CheckTransactionsAlive();
      CommitGroup();
    }
    return std::exchange(confirmable_, 0);
  }

  void CompleteSnapshot(int64_t log_position) {
    CheckTransactionsAlive();
    if (!snapshot_) BeginSnapshot();  // a snapshot of empty tables empties the replica too
    StorePosition(log_position, std::nullopt, /*snapshot_complete=*/true);
    snapshot_->Commit();
    snapshot_.reset();
  }

  // The engine asks at the start of each call: a snapshot still open was abandoned by an earlier
  // call (a failure or a stop) and is rolled back, so the replica is again what it was before it.
  SinkPosition Position() {
    CloseGroup();
    group_lost_ = false;
    snapshot_.reset();
    confirmable_ = 0;
    SinkPosition position;
    position.kept = true;
    internal::Statement read(db_, std::string("SELECT log_id, snapshot, log_epoch FROM ") + kPositionTable);
    if (read.Step()) {
      if (!read.IsNull(0)) position.log_id = read.Int(0);
      if (read.Text(1) == "complete") position.snapshot = SinkPosition::Snapshot::kComplete;
      if (!read.IsNull(2)) position.log_epoch = std::string(read.Text(2));
    }
    return position;
  }

  // A failure of Send or Poll told the engine that every unconfirmed batch is forgotten.
  void LossReported() { group_lost_ = false; }

 private:
  // Drops the group: rolled back unless it was committed. Batches of a group rolled back outside
  // Send and Poll (a schema step, a transaction SQLite ended) are still in flight for the engine:
  // the next Send or Poll reports the loss (ReportLostGroup), so that they are sent again.
  void CloseGroup() {
    if (group_batches_ > 0) group_lost_ = true;
    group_.reset();
    group_batches_ = 0;
    last_.reset();
  }

  void ReportLostGroup() {
    if (!group_lost_) return;
    throw internal::DatabaseError("the batches sent since the last commit were rolled back; sending them again",
                                  SQLITE_BUSY);
  }

  // Stores the group's position and commits it; its batches are confirmed at the next poll.
  void CommitGroup() {
    try {
      if (last_) StorePosition(last_->id, last_->timestamp, /*snapshot_complete=*/false);
      group_->Commit();
    } catch (...) {
      CloseGroup();
      throw;
    }
    confirmable_ += std::exchange(group_batches_, 0);
    CloseGroup();
  }

  // SQLite ends an open transaction itself after some errors (a full disk, an I/O error), and the
  // next statement would then run, and commit, on its own. A group so lost is forgotten and its
  // batches are sent again (a retry); a snapshot so lost cannot be: its earlier batches are gone.
  void CheckTransactionsAlive() {
    if (!sqlite3_get_autocommit(db_.handle())) return;
    if (snapshot_) {
      snapshot_.reset();
      throw internal::InvalidInput("the snapshot's transaction was rolled back by SQLite: run the bootstrap again");
    }
    if (group_) {
      CloseGroup();
      throw internal::DatabaseError("the replica's open transaction was rolled back by SQLite", SQLITE_FULL);
    }
  }

  void RequireSchema() {
    if (!applier_) throw internal::InvalidInput("a batch came before the schema of its tables");
  }

  // The whole snapshot is one transaction, opened by its first batch: readers see the replica as it
  // was until the snapshot is complete, and a snapshot cut short leaves nothing behind.
  void ApplySnapshotPart(const Changes& batch) {
    if (!snapshot_) BeginSnapshot();
    internal::Savepoint savepoint(db_);
    try {
      ApplyEach(batch);
      savepoint.Release();
    } catch (...) {
      CheckTransactionsAlive();  // a snapshot SQLite rolled back itself cannot be taken up again
      throw;
    }
  }

  // `schema` and the replica's other tables: a table dropped on the source (or no longer watched)
  // still gets the changes logged before, and keeps its rows.
  WatchedSchema WithTablesNoLongerWatched(WatchedSchema schema) {
    internal::Statement tables(db_,
                               "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite^_%' "
                               "ESCAPE '^' AND name NOT IN ('__cdc_replica', '__cdc_replica_renamed')");
    std::vector<std::string> others;
    while (tables.Step()) {
      const std::string name(tables.Text(0));
      const bool announced = std::any_of(schema.tables.begin(), schema.tables.end(),
                                         [&](const TableDefinition& table) { return table.name == name; });
      if (!announced) others.push_back(name);
    }
    for (const std::string& name : others)
      schema.tables.push_back(internal::DefineTable(db_, internal::ReadTable(db_, name)));
    return schema;
  }

  // A chain of renames (a to b, then b to c) leads every old name to the current one.
  void RememberRename(const std::string& table, const std::string& old_name, const std::string& new_name) {
    internal::Statement forward(
        db_, "UPDATE __cdc_replica_renamed SET new_name = ?3 WHERE tablename = ?1 AND new_name = ?2");
    forward.Bind(1, table).Bind(2, old_name).Bind(3, new_name);
    while (forward.Step()) {
    }
    internal::Statement remember(db_, "INSERT OR REPLACE INTO __cdc_replica_renamed VALUES (?1, ?2, ?3)");
    remember.Bind(1, table).Bind(2, old_name).Bind(3, new_name);
    while (remember.Step()) {
    }
  }

  internal::ColumnRenames Renames() {
    internal::ColumnRenames renames;
    internal::Statement read(db_, "SELECT tablename, old_name, new_name FROM __cdc_replica_renamed");
    while (read.Step()) renames[std::string(read.Text(0))][std::string(read.Text(1))] = std::string(read.Text(2));
    return renames;
  }

  void BeginSnapshot() {
    snapshot_.emplace(db_);
    for (const std::string& table : tables_) db_.Execute("DELETE FROM " + schema::QuoteIdentifier(table));
  }

  void ApplyEach(const Changes& batch) {
    for (const Change& change : batch) {
      try {
        if (!applier_->Apply(change) && warned_tables_.insert(change.table).second) {
          log_.Warn("replica {}: table {} is no longer watched; its changes are not applied", path_, change.table);
        }
      } catch (internal::Error& error) {
        error.AddContext(change.bootstrap ? "apply a snapshot row of table " + change.table
                                          : "apply log id " + std::to_string(change.id) + " to table " + change.table);
        throw;
      }
    }
  }

  // The position of the log the schema was announced for (a new snapshot may start another log).
  // `snapshot_complete`: this position ends a snapshot; otherwise the snapshot state stays as it is.
  void StorePosition(int64_t log_id, const std::optional<std::string>& timestamp, bool snapshot_complete) {
    internal::Statement store(
        db_, std::string("UPDATE ") + kPositionTable + " SET log_id = ?1, " +
                 "source_timestamp = coalesce(?2, source_timestamp), snapshot = coalesce(?3, snapshot), " +
                 "log_epoch = ?4, applied_at = " + kAppliedAt);
    store.Bind(1, log_id);
    if (timestamp) store.Bind(2, *timestamp);
    if (snapshot_complete) store.Bind(3, std::string_view("complete"));
    if (!log_epoch_.empty()) store.Bind(4, log_epoch_);
    while (store.Step()) {
    }
  }

  // In the snapshot's transaction when one is open (a group never is: FollowSchema commits it first).
  template <typename Body>
  void Atomically(Body&& body) {
    if (snapshot_) {
      internal::Savepoint savepoint(db_);
      body();
      savepoint.Release();
      return;
    }
    internal::WriteTransaction transaction(db_);
    body();
    transaction.Commit();
  }

  std::string path_;
  Database db_;
  internal::InfoLog log_;
  std::vector<std::string> tables_;  // as last announced
  std::string log_epoch_;            // of the log last announced
  std::unique_ptr<internal::RestoreApplier> applier_;
  std::optional<internal::WriteTransaction> snapshot_;  // open while a bootstrap is applied
  size_t confirmable_ = 0;                              // snapshot batches taken since the last Poll
  std::optional<internal::WriteTransaction> group_;     // batches sent and not committed yet
  size_t group_batches_ = 0;
  bool group_lost_ = false;     // a group was rolled back and the engine was not told yet
  bool caught_up_ = false;      // the engine read the log to its end since the last poll
  std::optional<Change> last_;  // the last change of the group
  std::set<std::string> warned_tables_;
};

Status SqliteReplica::Open(const std::string& path, std::unique_ptr<SqliteReplica>* replica) {
  return internal::Guarded([&] {
    Database db = OpenReplicaFile(path);
    const int rc = sqlite3_exec(db.handle(), "SELECT count(*) FROM sqlite_schema", nullptr, nullptr, nullptr);
    if (rc == SQLITE_NOTADB) throw internal::InvalidInput("replica " + path + " is not an SQLite database");
    if (rc != SQLITE_OK) throw internal::DatabaseError("open replica " + path + ": " + sqlite3_errmsg(db.handle()), rc);
    db.Execute("PRAGMA journal_mode = WAL");
    db.Execute("PRAGMA synchronous = FULL");
    db.Execute(kCreatePositionTable);
    db.Execute(kCreateRenamesTable);
    const std::vector<std::string> expected{"singleton",        "log_id",     "snapshot",
                                            "source_timestamp", "applied_at", "log_epoch"};
    if (ColumnNames(internal::ReadTable(db, kPositionTable)) != expected) {
      throw internal::InvalidInput("replica " + path + ": table " + kPositionTable +
                                   " is not sqlite-cdc's position table; choose another file");
    }
    db.Execute(std::string("INSERT OR IGNORE INTO ") + kPositionTable + " VALUES (1, NULL, 'none', NULL, " +
               kAppliedAt + ", NULL)");
    replica->reset(new SqliteReplica(std::make_unique<SqliteReplicaImpl>(path, std::move(db))));
    return Status::Ok();
  });
}

SqliteReplica::SqliteReplica(std::unique_ptr<SqliteReplicaImpl> impl) : impl_(std::move(impl)) {}
SqliteReplica::~SqliteReplica() = default;

HandlerResult SqliteReplica::Send(const Changes& batch) {
  const HandlerResult result = Outcome([&] { impl_->Take(batch); });
  if (result.kind != HandlerResult::Kind::kSuccess) impl_->LossReported();
  return result;
}

void SqliteReplica::OnCaughtUp() { impl_->CaughtUp(); }

Confirmations SqliteReplica::Poll(std::chrono::milliseconds wait, bool flush) {
  Confirmations confirmations;
  confirmations.failure = Outcome([&] { confirmations.batches = impl_->Confirm(flush); });
  if (confirmations.failure.kind != HandlerResult::Kind::kSuccess) impl_->LossReported();
  // Nothing here completes later by itself: a poll that confirms nothing waits as asked.
  if (confirmations.batches == 0 && confirmations.failure.kind == HandlerResult::Kind::kSuccess) {
    std::this_thread::sleep_for(wait);
  }
  return confirmations;
}

HandlerResult SqliteReplica::OnSchema(const WatchedSchema& schema) {
  return Outcome([&] { impl_->FollowSchema(schema); });
}

HandlerResult SqliteReplica::OnSnapshotComplete(int64_t log_position) {
  return Outcome([&] { impl_->CompleteSnapshot(log_position); });
}

HandlerResult SqliteReplica::ReadPosition(SinkPosition* position) {
  return Outcome([&] { *position = impl_->Position(); });
}

}  // namespace sqlite_cdc
