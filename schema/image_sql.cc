#include "schema/image_sql.h"

#include "schema/identifier.h"

namespace sqlite_cdc::schema {
namespace {

std::string ColumnRef(std::string_view row, const std::string& column) {
  return std::string(row) + "." + QuoteIdentifier(column);
}

std::string BlobSafe(const std::string& ref, const std::string& otherwise) {
  return "CASE typeof(" + ref + ") WHEN 'blob' THEN hex(" + ref + ") " + otherwise + " END";
}

// A REAL as a JSON number that parses back to the same double. json_object prints 15 significant
// digits before SQLite 3.43, so the trigger formats it itself: printf's '!' flag takes the digits
// from a long double, which is exact for 17 digits below 1e100; above, printf scales by an inexact
// 1e100 and 17 digits can land on the neighbouring double, so 18 are printed. json() marks the text
// as JSON so json_object embeds it as a number. +/-Infinity become strings (3.40 prints a bare Inf).
std::string ExactReal(const std::string& ref) {
  return "CASE WHEN " + ref + " = 9e999 THEN 'Infinity' WHEN " + ref + " = -9e999 THEN '-Infinity' WHEN abs(" + ref +
         ") < 1e100 THEN json(printf('%!.17g', " + ref + ")) ELSE json(printf('%!.18g', " + ref + ")) END";
}

std::string AnyValue(const std::string& ref) {
  return BlobSafe(ref, "WHEN 'real' THEN " + ExactReal(ref) + " ELSE " + ref);
}

std::string SingleObject(std::vector<JsonMember>::const_iterator begin, std::vector<JsonMember>::const_iterator end) {
  std::string sql = "json_object(";
  for (auto it = begin; it != end; ++it) {
    if (it != begin) sql += ", ";
    sql += QuoteLiteral(it->first) + ", " + it->second;
  }
  return sql + ")";
}

std::string StrictValue(const Column& column, const std::string& ref) {
  switch (AffinityOf(column.declared_type)) {
    case Affinity::kInteger:
    case Affinity::kText:
      return ref;
    case Affinity::kReal:  // a STRICT REAL column holds reals or NULL
      return "CASE WHEN " + ref + " IS NULL THEN NULL ELSE " + ExactReal(ref) + " END";
    case Affinity::kBlob:
      return BlobSafe(ref, "ELSE NULL");
    case Affinity::kNumeric:  // ANY, the only other STRICT type, holds whatever it was given
      return AnyValue(ref);
  }
  return AnyValue(ref);
}

}  // namespace

std::string JsonObjectExpression(const std::vector<JsonMember>& members) {
  if (members.size() <= kMembersPerJsonObject) return SingleObject(members.begin(), members.end());
  // Each chunk renders as {...}. Splice them: drop the closing brace of every chunk but the last and
  // the opening brace of every chunk but the first. A member value never ends in '}' (values are
  // strings, numbers or null), so rtrim removes exactly the closing brace.
  std::string sql;
  for (size_t start = 0; start < members.size(); start += kMembersPerJsonObject) {
    const size_t stop = std::min(members.size(), start + kMembersPerJsonObject);
    std::string chunk = SingleObject(members.begin() + start, members.begin() + stop);
    const bool first = start == 0;
    const bool last = stop == members.size();
    if (!last) chunk = "rtrim(" + chunk + ", '}')";
    if (!first) chunk = "substr(" + chunk + ", 2)";
    sql += first ? chunk : " || ',' || " + chunk;
  }
  return sql;
}

std::string ColumnValueExpression(const TableSchema& table, const Column& column, std::string_view row) {
  const std::string ref = ColumnRef(row, column.name);
  if (table.strict) return StrictValue(column, ref);
  // Non-strict TEXT affinity turns numbers into text, so only a BLOB can surprise json_object.
  if (AffinityOf(column.declared_type) == Affinity::kText) return BlobSafe(ref, "ELSE " + ref);
  return AnyValue(ref);
}

std::string ImageExpression(const TableSchema& table, std::string_view row, bool blobs) {
  std::vector<JsonMember> members;
  members.reserve(table.columns.size());
  for (const Column& column : table.columns) {
    if (!blobs && IsBlobDeclared(column)) continue;
    members.emplace_back(column.name, ColumnValueExpression(table, column, row));
  }
  return JsonObjectExpression(members);
}

std::string KeyExpression(const TableSchema& table, std::string_view row) {
  const std::vector<Column> keys = table.KeyColumns();
  if (keys.empty()) {
    return "json_object('rowid', " + std::string(row) + "." + table.RowidAlias() + ")";
  }
  std::vector<JsonMember> members;
  for (const Column& column : keys) {
    members.emplace_back(column.name, ColumnValueExpression(table, column, row));
  }
  return JsonObjectExpression(members);
}

bool HoldsIntegersAndReals(const TableSchema& table, const Column& column) {
  const Affinity affinity = AffinityOf(column.declared_type);
  return table.strict ? affinity == Affinity::kNumeric : affinity == Affinity::kBlob;
}

std::string SameKeyCondition(const TableSchema& table) {
  const std::vector<Column> keys = table.KeyColumns();
  if (keys.empty()) return "OLD." + table.RowidAlias() + " IS NEW." + table.RowidAlias();
  std::string sql;
  for (const Column& column : keys) {
    if (!sql.empty()) sql += " AND ";
    // Binary: under a NOCASE key 'A' -> 'a' changes the key JSON, so it is a new key.
    sql += ColumnRef("OLD", column.name) + " IS " + ColumnRef("NEW", column.name) + " COLLATE BINARY";
    if (HoldsIntegersAndReals(table, column)) {
      sql += " AND typeof(" + ColumnRef("OLD", column.name) + ") = typeof(" + ColumnRef("NEW", column.name) + ")";
    }
  }
  return sql;
}

}  // namespace sqlite_cdc::schema
