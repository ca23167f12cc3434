#include "schema/bootstrap_sql.h"

#include "schema/identifier.h"
#include "schema/image_sql.h"

namespace sqlite_cdc::schema {

std::string SnapshotSelectSql(const TableSchema& table, bool blobs) {
  const std::string from = QuoteIdentifier(table.name);
  std::string order;
  if (table.without_rowid) {
    for (const Column& column : table.KeyColumns()) {
      order += (order.empty() ? "" : ", ") + from + "." + QuoteIdentifier(column.name);
    }
  } else {
    order = from + "." + table.RowidAlias();
  }
  return "SELECT " + KeyExpression(table, from) + ", " + ImageExpression(table, from, blobs) + " FROM " + from +
         " ORDER BY " + order;
}

}  // namespace sqlite_cdc::schema
