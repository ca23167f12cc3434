#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <vector>

#include "bootstrap_progress.h"
#include "database.h"
#include "schema/log_table_sql.h"
#include "schema/table_schema.h"
#include "sqlite_cdc/change.h"

namespace sqlite_cdc::internal {

// The copy was abandoned because its `stop` said so.
struct SnapshotStopped : std::runtime_error {
  SnapshotStopped() : std::runtime_error("stopped while the snapshot was being copied") {}
};

// A consistent bootstrap snapshot that holds no read transaction on the database while it is
// delivered. In one read transaction it copies every row image of the tables, and the log position,
// into a private temporary database attached to the connection; the handler is later fed from that
// copy. The log position is the highest log id the snapshot already reflects. Each table's
// count(*) is read first (in the same transaction) so that `progress` can report the copy's
// progress against it.
//
// `file` names the database the copy goes into: empty for a private temporary one; an existing
// empty file for a copy that outlives the spool (DetachedSnapshot), in table `rows`.
//
// `stop`, when given, is asked while the copy runs (a large table's copy takes seconds); once it
// says true the copy is abandoned and the constructor throws SnapshotStopped.
class SnapshotSpool {
 public:
  SnapshotSpool(Database& db, const std::vector<schema::TableSchema>& tables, const schema::LogTableNames& log,
                bool blobs, bool subsecond, const BootstrapProgressCallback& progress, const std::string& file = "",
                const std::function<bool()>& stop = {});
  SnapshotSpool(const SnapshotSpool&) = delete;
  SnapshotSpool& operator=(const SnapshotSpool&) = delete;
  ~SnapshotSpool();

  int64_t log_position() const { return log_position_; }
  // PRAGMA schema_version inside the copy's transaction: the schema the rows were read under.
  int64_t schema_version() const { return schema_version_; }
  int64_t rows() const { return rows_; }
  const std::string& timestamp() const { return timestamp_; }
  // Each table's rows, in the order Next() delivers them.
  const std::vector<TableRows>& tables() const { return tables_; }
  // Replaces `batch` with the next up to `limit` bootstrap changes; empty once all were read.
  void Next(size_t limit, Changes& batch);
  // Next, on any connection to a spool's file: the rows of `rows_table` after sequence number
  // *cursor, which moves on.
  static void ReadRows(Database& db, const std::string& rows_table, const std::string& timestamp, size_t limit,
                       int64_t* cursor, Changes& batch);

 private:
  Database& db_;
  int64_t log_position_ = 0;
  int64_t schema_version_ = 0;
  int64_t rows_ = 0;
  std::vector<TableRows> tables_;
  int64_t cursor_ = 0;
  std::string timestamp_;
};

}  // namespace sqlite_cdc::internal
