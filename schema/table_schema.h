#pragma once

#include <string>
#include <vector>

namespace sqlite_cdc::schema {

// One column as PRAGMA table_info reports it (generated columns are not part of the row image).
struct Column {
  std::string name;
  std::string declared_type;  // as written in CREATE TABLE, possibly empty
  int key_position = 0;       // 1-based position in the primary key, 0 when not a key column
};

// What SQL generation needs to know about one table. Columns are in table order.
struct TableSchema {
  std::string name;
  std::vector<Column> columns;
  bool without_rowid = false;
  bool strict = false;
  // Column lists of the UNIQUE constraints and unique indexes whose members are all plain columns
  // (the primary key of a WITHOUT ROWID table excluded): the ways an INSERT OR REPLACE can evict a
  // row besides the key. Expression indexes are not represented.
  std::vector<std::vector<std::string>> unique_keys = {};

  // Primary key columns in key order; empty for a rowid table without a declared key.
  std::vector<Column> KeyColumns() const;
  // The expression that reads the rowid of a row without being shadowed by a column of that name:
  // the first of rowid, _rowid_, oid that no column uses. Empty if all three are taken.
  std::string RowidAlias() const;
};

// SQLite's column affinity from a declared type (section 3.1 of "Datatypes In SQLite").
enum class Affinity { kInteger, kText, kBlob, kReal, kNumeric };
Affinity AffinityOf(const std::string& declared_type);

// True for columns declared with a type containing "BLOB": these are left out of images unless
// blobs are asked for. Untyped columns are kept, since applications use them for anything.
bool IsBlobDeclared(const Column& column);

}  // namespace sqlite_cdc::schema
