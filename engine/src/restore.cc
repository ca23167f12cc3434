#include "sqlite_cdc/restore.h"

#include <filesystem>

#include "database.h"
#include "guarded.h"
#include "restore_applier.h"

namespace sqlite_cdc {

namespace {

using internal::Database;

constexpr int64_t kChangesPerTransaction = 100'000;

// Applier::Apply, naming the change when the database refuses it.
bool ApplyOne(internal::RestoreApplier& applier, const Change& change) {
  try {
    return applier.Apply(change);
  } catch (internal::Error& error) {
    error.AddContext(change.bootstrap ? "apply a snapshot row of table " + change.table
                                      : "apply log id " + std::to_string(change.id) + " to table " + change.table);
    throw;
  }
}

Status RestoreInto(const std::string& db_path, RestoreSource& source, const RestorePoint& point,
                   RestoreReport* report) {
  WatchedSchema schema;
  if (Status status = source.Schema(&schema); !status.ok()) return status;
  Database db = Database::OpenOrCreate(db_path);
  // A file nobody else has yet, deleted if anything fails: no journal needed until it is done.
  db.Execute("PRAGMA journal_mode = OFF");
  db.Execute("PRAGMA synchronous = OFF");
  db.Execute("BEGIN");
  internal::RestoreApplier applier(db, schema);
  int64_t in_transaction = 0;
  Changes batch;
  for (;;) {
    if (Status status = source.Next(&batch); !status.ok()) {
      return status.WithContext(report->last_id > 0 ? "read the archive after log id " + std::to_string(report->last_id)
                                                    : std::string("read the archive"));
    }
    if (batch.empty()) break;
    for (const Change& change : batch) {
      if (!point.Includes(change)) {
        db.Execute("COMMIT");
        return Status::Ok();
      }
      if (!ApplyOne(applier, change)) {
        ++report->skipped_unknown_tables;
        continue;
      }
      if (change.bootstrap) {
        ++report->snapshot_rows;
      } else {
        ++report->changes_applied;
        report->last_id = change.id;
        report->last_timestamp = change.timestamp;
      }
      if (++in_transaction == kChangesPerTransaction) {
        db.Execute("COMMIT");
        db.Execute("BEGIN");
        in_transaction = 0;
      }
    }
  }
  db.Execute("COMMIT");
  return Status::Ok();
}

}  // namespace

Status Restore(const std::string& db_path, RestoreSource& source, const RestorePoint& point, RestoreReport* report) {
  std::error_code ignored;
  if (std::filesystem::exists(db_path, ignored)) {
    return Status::InvalidArgument("refusing to overwrite " + db_path + ": restore builds a new database file");
  }
  *report = RestoreReport{};
  Status status =
      internal::GuardedDoing("restore into " + db_path, [&] { return RestoreInto(db_path, source, point, report); });
  if (!status.ok()) {
    for (const char* suffix : {"", "-journal", "-wal", "-shm"}) std::filesystem::remove(db_path + suffix, ignored);
  }
  return status;
}

}  // namespace sqlite_cdc
