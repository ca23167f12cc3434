#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sqlite_cdc {

// One watched table as the database defines it.
struct TableDefinition {
  std::string name;
  std::string create_sql;            // the CREATE TABLE statement as sqlite_master holds it
  std::vector<std::string> columns;  // in table order
  std::vector<std::string> key;      // primary key columns in key order; empty: keyed by rowid
  bool without_rowid = false;
};

// The watched tables' definitions, and where in the log they took effect: changes with a log id
// above `log_position` were logged under these definitions (or a later one).
struct WatchedSchema {
  int64_t log_position = 0;
  std::vector<TableDefinition> tables;
  // The log's identity: the same for every change of this log, another after the database was set
  // up anew (log ids then start again at 1). A sink that keeps a position stores it with the
  // position (SinkPosition::log_epoch).
  std::string log_epoch;
};

}  // namespace sqlite_cdc
