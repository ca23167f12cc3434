#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <vector>

#include "database.h"
#include "sqlite_cdc/options.h"

namespace sqlite_cdc::internal {

// How many rows of one table a snapshot holds.
struct TableRows {
  std::string table;
  int64_t rows = 0;
};

// Counts the rows one statement copies into the snapshot, for BootstrapProgress reports: while it
// lives, the connection has an SQL function `cdc_snapshot_row()` (kCall) that the copy calls once per
// row; it is always true, so a WHERE on it filters nothing. Reports 0 at construction, then every
// 1024 rows; Finish() reports the total.
class SnapshotRowCounter {
 public:
  static constexpr const char* kCall = "cdc_snapshot_row()";

  // `report` may be empty, and must outlive the counter.
  SnapshotRowCounter(Database& db, const BootstrapProgressCallback& report, TableRows table);
  SnapshotRowCounter(const SnapshotRowCounter&) = delete;
  SnapshotRowCounter& operator=(const SnapshotRowCounter&) = delete;
  ~SnapshotRowCounter();  // removes the function

  void Finish();

 private:
  static void CountRow(sqlite3_context* context, int argc, sqlite3_value** argv);
  void Report();

  Database& db_;
  const BootstrapProgressCallback& report_;
  TableRows table_;
  int64_t done_ = 0;
};

// Reports the delivery of a snapshot's rows, which leave it table after table in `tables` order:
// 0 of the first table at construction, then progress after each accepted batch. An empty table is
// reported as 0 of 0 when delivery reaches it.
class DeliveryProgress {
 public:
  // `report` may be empty, and must outlive this.
  DeliveryProgress(const BootstrapProgressCallback& report, std::vector<TableRows> tables);

  // The handler accepted the next `rows` rows.
  void Delivered(int64_t rows);

 private:
  // Reports the start of the table at index_, and moves past empty ones.
  void EnterTable();
  void Report();

  const BootstrapProgressCallback& report_;
  std::vector<TableRows> tables_;
  size_t index_ = 0;
  int64_t done_ = 0;
};

}  // namespace sqlite_cdc::internal
