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

// A UNIQUE constraint, unique index or primary key index over plain columns, each compared with
// the index's own collation (which may differ from the column's).
struct UniqueKey {
  std::vector<std::string> columns;
  std::vector<std::string> collations;  // one per column, e.g. "BINARY", "NOCASE"
  bool partial = false;                 // CREATE UNIQUE INDEX ... WHERE: only rows the condition holds for
};

// What SQL generation needs to know about one table. Columns are in table order.
struct TableSchema {
  std::string name;
  std::vector<Column> columns;
  bool without_rowid = false;
  bool strict = false;
  // The unique indexes over plain columns (UNIQUE constraints and a primary key that is not the
  // rowid included): with the rowid, the ways an INSERT OR REPLACE can evict a row. Expression
  // indexes are not represented.
  std::vector<UniqueKey> unique_keys = {};

  // True when no BEFORE INSERT trigger may be installed: on a STRICT table SQLite then checks column
  // types before NOT NULL constraints and conflict handling, so a write that succeeds without it
  // (an INSERT OR IGNORE of a row breaking both, an ON CONFLICT REPLACE key) can fail with it.
  bool BeforeInsertTriggerChangesOutcomes() const;

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
