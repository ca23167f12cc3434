#include "schema/table_schema.h"

#include <algorithm>
#include <cctype>
#include <regex>

namespace sqlite_cdc::schema {
namespace {

std::string Upper(const std::string& text) {
  std::string out = text;
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

bool Contains(const std::string& haystack, const char* needle) { return haystack.find(needle) != std::string::npos; }

bool SameNameIgnoringCase(const std::string& a, const std::string& b) { return Upper(a) == Upper(b); }

}  // namespace

bool IsLiteralDefault(const std::string& default_sql) {
  // PRAGMA table_info drops a default's outer parentheses: `(1+1)` reads `1+1`, so only what is a
  // literal by its look is taken. SQLite also takes a bare identifier as a string (DEFAULT abc);
  // as SQL text that is a column name, so it is not taken either.
  static const std::regex kLiteral(
      R"(^([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?0[xX][0-9a-fA-F]+|'([^']|'')*'|[xX]'([0-9a-fA-F]{2})*'|)"
      R"([nN][uU][lL][lL]|[tT][rR][uU][eE]|[fF][aA][lL][sS][eE])$)");
  return std::regex_match(default_sql, kLiteral);
}

std::vector<Column> TableSchema::KeyColumns() const {
  std::vector<Column> keys;
  for (const Column& column : columns) {
    if (column.key_position > 0) keys.push_back(column);
  }
  std::sort(keys.begin(), keys.end(), [](const Column& a, const Column& b) { return a.key_position < b.key_position; });
  return keys;
}

std::string TableSchema::RowidAlias() const {
  for (const char* alias : {"rowid", "_rowid_", "oid"}) {
    bool taken = std::any_of(columns.begin(), columns.end(),
                             [&](const Column& c) { return SameNameIgnoringCase(c.name, alias); });
    if (!taken) return alias;
  }
  return "";
}

bool TableSchema::BeforeInsertTriggerChangesOutcomes() const { return strict; }

Affinity AffinityOf(const std::string& declared_type) {
  const std::string type = Upper(declared_type);
  if (Contains(type, "INT")) return Affinity::kInteger;
  if (Contains(type, "CHAR") || Contains(type, "CLOB") || Contains(type, "TEXT")) return Affinity::kText;
  if (type.empty() || Contains(type, "BLOB")) return Affinity::kBlob;
  if (Contains(type, "REAL") || Contains(type, "FLOA") || Contains(type, "DOUB")) return Affinity::kReal;
  return Affinity::kNumeric;
}

bool IsBlobDeclared(const Column& column) { return Contains(Upper(column.declared_type), "BLOB"); }

}  // namespace sqlite_cdc::schema
