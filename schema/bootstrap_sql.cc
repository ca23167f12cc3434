#include "schema/bootstrap_sql.h"

#include <vector>

#include "schema/identifier.h"
#include "schema/image_sql.h"

namespace sqlite_cdc::schema {
namespace {

std::string Joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : ", ") + part;
  return out;
}

}  // namespace

BootstrapQuery GenerateBootstrapQuery(const TableSchema& table, bool blobs) {
  const std::string from = QuoteIdentifier(table.name);
  std::vector<std::string> cursor;
  if (table.without_rowid) {
    for (const Column& column : table.KeyColumns()) cursor.push_back(from + "." + QuoteIdentifier(column.name));
  } else {
    cursor.push_back(from + "." + table.RowidAlias());
  }
  std::vector<std::string> placeholders;
  for (size_t i = 1; i <= cursor.size(); ++i) placeholders.push_back("?" + std::to_string(i));

  const std::string cursor_list = Joined(cursor);
  const std::string select = "SELECT " + cursor_list + ", " + KeyExpression(table, from) + ", " +
                             ImageExpression(table, from, blobs) + " FROM " + from;
  const std::string order = " ORDER BY " + cursor_list + " LIMIT ";
  const bool composite = cursor.size() > 1;
  const std::string after = composite ? "(" + cursor_list + ") > (" + Joined(placeholders) + ")"
                                      : cursor_list + " > ?1";

  BootstrapQuery query;
  query.cursor_columns = static_cast<int>(cursor.size());
  query.first_page_sql = select + order + "?1";
  query.next_page_sql = select + " WHERE " + after + order + "?" + std::to_string(cursor.size() + 1);
  return query;
}

}  // namespace sqlite_cdc::schema
