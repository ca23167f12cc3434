#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "database.h"
#include "schema/log_table_sql.h"
#include "schema/table_schema.h"
#include "sqlite_cdc/stream_snapshot.h"

namespace sqlite_cdc::internal {

// A StreamSnapshot in a temporary file of its own: a SnapshotSpool copies the tables into it in one
// read transaction of the engine's connection and detaches it; from then on it is read through a
// connection of its own, on whichever thread the handler reads it. The file is unlinked as soon as
// that connection has it open; one that a crash left while it was being written (no process holds
// its lock any more) is removed by the next Take in the same temporary folder.
class DetachedSnapshot : public StreamSnapshot {
 public:
  // Throws DatabaseError (the database, or the temporary folder, failed), or SnapshotStopped once
  // `stop` said true during the copy.
  static std::unique_ptr<DetachedSnapshot> Take(Database& db, const std::vector<schema::TableSchema>& tables,
                                                const schema::LogTableNames& log, bool blobs, bool subsecond,
                                                const std::function<bool()>& stop);

  int64_t log_position() const override { return log_position_; }
  int64_t rows() const override { return rows_; }
  const std::string& taken_at() const override { return taken_at_; }
  // PRAGMA schema_version when the rows were read.
  int64_t schema_version() const { return schema_version_; }
  Status Next(size_t limit, Changes* batch) override;

 private:
  DetachedSnapshot(Database file, int64_t log_position, int64_t rows, std::string taken_at, int64_t schema_version)
      : file_(std::move(file)),
        log_position_(log_position),
        rows_(rows),
        taken_at_(std::move(taken_at)),
        schema_version_(schema_version) {}

  Database file_;
  int64_t log_position_;
  int64_t rows_;
  std::string taken_at_;
  int64_t schema_version_;
  int64_t cursor_ = 0;
};

}  // namespace sqlite_cdc::internal
