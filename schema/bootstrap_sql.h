#pragma once

#include <string>

#include "schema/table_schema.h"

namespace sqlite_cdc::schema {

// The snapshot query of one table for bootstrap: one row per table row, (key JSON, image JSON),
// in rowid order for rowid tables and primary key order for WITHOUT ROWID tables, so that a reader
// can resume and every row appears exactly once.
std::string SnapshotSelectSql(const TableSchema& table, bool blobs);

}  // namespace sqlite_cdc::schema
