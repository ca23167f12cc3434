#include "sqlite_cdc/table_columns.h"

#include "catalog.h"
#include "database.h"
#include "guarded.h"
#include "schema/image_sql.h"
#include "schema/table_schema.h"

namespace sqlite_cdc {
namespace {

// `column`'s literal default as SQLite stores it in a column of its type, imaged as the triggers
// image it (a JSON value).
std::optional<std::string> ImagedDefault(internal::Database& scratch, const schema::Column& column) {
  schema::TableSchema holder;
  holder.name = "__cdc_default";
  holder.columns.push_back({"v", column.declared_type, 0, ""});
  scratch.Execute("DROP TABLE IF EXISTS temp.__cdc_default");
  scratch.Execute("CREATE TEMP TABLE __cdc_default (v " + column.declared_type + ")");
  scratch.Execute("INSERT INTO temp.__cdc_default VALUES (" + column.default_sql + ")");
  internal::Statement image(scratch, "SELECT " + schema::ImageExpression(holder, "__cdc_default", /*blobs=*/true) +
                                         " FROM temp.__cdc_default");
  if (!image.Step()) return std::nullopt;
  const std::string object(image.Text(0));  // {"v":VALUE}
  return object.substr(5, object.size() - 6);
}

std::optional<std::string> AddedValue(internal::Database& scratch, const schema::Column& column) {
  if (!schema::IsLiteralDefault(column.default_sql)) return std::nullopt;
  try {
    return ImagedDefault(scratch, column);
  } catch (const internal::DatabaseError&) {  // not expected of a literal; never a reason to refuse the table
    return std::nullopt;
  }
}

}  // namespace

Status ReadColumns(const TableDefinition& table, std::vector<ColumnDefinition>* columns) {
  return internal::Guarded([&] {
    // SQLite itself reads the statement, in a scratch database: declared types as it reports them.
    internal::Database scratch = internal::Database::OpenOrCreate(":memory:");
    try {
      scratch.Execute(table.create_sql);
    } catch (const internal::DatabaseError& error) {
      throw internal::InvalidInput("the definition of table " + table.name + " cannot be read: " + error.what());
    }
    columns->clear();
    const schema::TableSchema read = internal::ReadTable(scratch, table.name);
    for (const schema::Column& column : read.columns) {
      columns->push_back({column.name, column.declared_type, AddedValue(scratch, column)});
    }
    return Status::Ok();
  });
}

}  // namespace sqlite_cdc
