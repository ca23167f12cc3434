#pragma once

#include <cstdint>
#include <vector>

#include "bootstrap_progress.h"
#include "database.h"
#include "schema/log_table_sql.h"
#include "schema/table_schema.h"
#include "sqlite_cdc/change.h"

namespace sqlite_cdc::internal {

// A consistent bootstrap snapshot that holds no read transaction on the database while it is
// delivered. In one read transaction it copies every row image of the tables, and the log position,
// into a private temporary database attached to the connection; the handler is later fed from that
// copy. The log position is the highest log id the snapshot already reflects. Each table's
// count(*) is read first (in the same transaction) so that `progress` can report the copy's
// progress against it.
class SnapshotSpool {
 public:
  SnapshotSpool(Database& db, const std::vector<schema::TableSchema>& tables, const schema::LogTableNames& log,
                bool blobs, bool subsecond, const BootstrapProgressCallback& progress);
  SnapshotSpool(const SnapshotSpool&) = delete;
  SnapshotSpool& operator=(const SnapshotSpool&) = delete;
  ~SnapshotSpool();

  int64_t log_position() const { return log_position_; }
  int64_t rows() const { return rows_; }
  // Each table's rows, in the order Next() delivers them.
  const std::vector<TableRows>& tables() const { return tables_; }
  // Replaces `batch` with the next up to `limit` bootstrap changes; empty once all were read.
  void Next(size_t limit, Changes& batch);

 private:
  Database& db_;
  int64_t log_position_ = 0;
  int64_t rows_ = 0;
  std::vector<TableRows> tables_;
  int64_t cursor_ = 0;
  std::string timestamp_;
};

}  // namespace sqlite_cdc::internal
