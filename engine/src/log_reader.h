#pragma once

#include <cstdint>

#include "database.h"
#include "schema/log_table_sql.h"
#include "sqlite_cdc/change.h"

namespace sqlite_cdc::internal {

// Reads and acknowledges the change log. Statements are prepared once and reused.
class LogReader {
 public:
  LogReader(Database& db, const schema::LogTableNames& names);

  // Replaces `batch` with up to `limit` changes with id > after_id, in id order. The read is one
  // statement, so it is one snapshot, and no transaction is left open when it returns.
  void ReadBatch(int64_t after_id, size_t limit, Changes& batch);

  // Deletes every change with id <= last_id but the log's highest row (which keeps ids from being
  // reused) and records last_id as the watermark, in one write transaction.
  void Acknowledge(int64_t last_id);

  // The highest id in the log, 0 when it is empty.
  int64_t MaxId();

  // The highest id acknowledged so far: every change at or below it was delivered.
  int64_t Watermark();

 private:
  Database& db_;
  Statement read_;
  Statement delete_;
  Statement remember_;
  Statement max_id_;
  Statement watermark_;
};

}  // namespace sqlite_cdc::internal
