#pragma once

#include <string>

#include "schema/table_schema.h"

namespace sqlite_cdc::schema {

// Keyset pagination over one table for bootstrap. Each page query returns, per row:
// the cursor columns (cursor_columns of them), then the key JSON, then the image JSON.
// The first page takes one parameter, the page size; the next page takes the cursor values of the
// last row seen (?1..?n) followed by the page size. Rowid tables page by rowid; WITHOUT ROWID tables
// by their primary key with a row-value comparison, which never skips rows of a composite key.
struct BootstrapQuery {
  std::string first_page_sql;
  std::string next_page_sql;
  int cursor_columns = 0;
};

BootstrapQuery GenerateBootstrapQuery(const TableSchema& table, bool blobs);

}  // namespace sqlite_cdc::schema
