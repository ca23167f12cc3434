#include "schema/bootstrap_sql.h"

#include "schema/identifier.h"
#include "schema/image_sql.h"

namespace sqlite_cdc::schema {

std::string SnapshotSelectSql(const TableSchema& table, bool blobs) {
  const std::string from = QuoteIdentifier(table.name);
  // In rowid order where the rowid can be named (the table's storage order); a table without one, or
  // whose columns take every name of its rowid, in primary key order.
  std::string order;
  if (!table.without_rowid && !table.RowidAlias().empty()) {
    order = from + "." + table.RowidAlias();
  } else {
    for (const Column& column : table.KeyColumns()) {
      order += (order.empty() ? "" : ", ") + from + "." + QuoteIdentifier(column.name);
    }
  }
  return "SELECT " + KeyExpression(table, from) + ", " + ImageExpression(table, from, blobs) + " FROM " + from +
         " ORDER BY " + order;
}

}  // namespace sqlite_cdc::schema
