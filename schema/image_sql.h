#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "schema/table_schema.h"

namespace sqlite_cdc::schema {

// SQL functions take at most 127 arguments in default builds: 63 name/value pairs per json_object.
inline constexpr size_t kMembersPerJsonObject = 63;

// A JSON object member: the member name (plain text) and the SQL expression of its value.
using JsonMember = std::pair<std::string, std::string>;

// An SQL expression that evaluates to the JSON object text of `members`, in order. Wider objects
// are built in chunks of kMembersPerJsonObject and spliced as text: linear in the member count,
// and unlike json_patch it keeps null members.
std::string JsonObjectExpression(const std::vector<JsonMember>& members);

// The SQL expression of one column's value inside an image, for a row reference such as NEW or OLD.
// Whatever the column holds, the result is a value json_object accepts and renders as valid JSON:
// BLOB values become uppercase hex text (json_object would raise "JSON cannot hold BLOB values" and
// fail the application's write), +/-Infinity reals become the strings "Infinity" and "-Infinity"
// (SQLite 3.40 renders a bare Inf). STRICT column types let us skip checks that cannot fire.
std::string ColumnValueExpression(const TableSchema& table, const Column& column, std::string_view row);

// The row image: every column in table order, BLOB-declared columns only when `blobs` is set.
std::string ImageExpression(const TableSchema& table, std::string_view row, bool blobs);

// The key object: primary key columns in key order, or {"rowid": N} without a declared key.
std::string KeyExpression(const TableSchema& table, std::string_view row);

// True when the column can hold both 1 and 1.0, which compare equal but image differently (an
// untyped or BLOB column, or STRICT ANY).
bool HoldsIntegersAndReals(const TableSchema& table, const Column& column);

// An SQL condition that is true when the OLD and NEW rows have the same key (the same key JSON).
std::string SameKeyCondition(const TableSchema& table);

}  // namespace sqlite_cdc::schema
