#pragma once

#include <string>

namespace sqlite_cdc::testing {

// The tables cdc_test_mixed_writer writes to: a rowid table with an INTEGER PRIMARY KEY, and a
// WITHOUT ROWID table with a composite key and names that need quoting. `v` is the number of the
// change that last wrote the row: it only grows.
inline constexpr char kMixedTables[] =
    "CREATE TABLE accounts (id INTEGER PRIMARY KEY, v INTEGER NOT NULL, balance REAL, note TEXT);"
    "CREATE TABLE \"order lines\" (\"order\" INTEGER, line TEXT, v INTEGER NOT NULL, qty REAL, "
    "PRIMARY KEY (\"order\", line)) WITHOUT ROWID";

// The separate writer process (tests/support/mixed_writer_main.cc).
std::string MixedWriterPath();

}  // namespace sqlite_cdc::testing
