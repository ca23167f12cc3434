#pragma once

#include <string>
#include <utility>
#include <vector>

namespace sqlite_cdc::schema {

// One column as PRAGMA table_info reports it (generated columns are not part of the row image).
struct Column {
  // Written {name, type} or {name, type, key position} where the default does not matter.
  Column(std::string name = {}, std::string declared_type = {}, int key_position = 0, std::string default_sql = {},
         bool not_null = false)
      : name(std::move(name)),
        declared_type(std::move(declared_type)),
        key_position(key_position),
        default_sql(std::move(default_sql)),
        not_null(not_null) {}

  std::string name;
  std::string declared_type;  // as written in CREATE TABLE, possibly empty
  int key_position;           // 1-based position in the primary key, 0 when not a key column
  std::string default_sql;    // the DEFAULT expression as PRAGMA table_info reports it; empty without one
  bool not_null;              // declared NOT NULL: under REPLACE a NULL written to it becomes the default
};

// True when `default_sql` (as PRAGMA table_info reports a DEFAULT) is a literal: a number, a string,
// a blob, NULL, TRUE or FALSE. Such a default is valid anywhere an expression is (a trigger, ALTER
// TABLE ADD COLUMN) and means the same there; other defaults (expressions, functions the
// application registered, CURRENT_TIMESTAMP, a bare word SQLite took as a string) are left alone.
bool IsLiteralDefault(const std::string& default_sql);

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
