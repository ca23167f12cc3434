#pragma once

#include <cstdint>

#include "database.h"
#include "schema/log_table_sql.h"

namespace sqlite_cdc::internal {

struct TableBytes {
  int64_t bytes = 0;
  bool exact = true;  // false: estimated
};

// What the log table takes in the database file: its b-tree pages as the dbstat virtual table
// counts them, or, where SQLite was built without dbstat, EstimateLogBytes. Reads every page of
// the log (or every row): O(log size).
TableBytes LogTableBytes(Database& db, const schema::LogTableNames& names);

// The bytes of the log's rows (their text, plus 8 per row for the id and the record header): what
// the pages hold less their free space, so it tends to be below the file's share.
int64_t EstimateLogBytes(Database& db, const schema::LogTableNames& names);

}  // namespace sqlite_cdc::internal
