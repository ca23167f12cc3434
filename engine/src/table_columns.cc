#include "sqlite_cdc/table_columns.h"

#include "catalog.h"
#include "database.h"
#include "guarded.h"

namespace sqlite_cdc {

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
    for (const schema::Column& column : internal::ReadTable(scratch, table.name).columns) {
      columns->push_back({column.name, column.declared_type});
    }
    return Status::Ok();
  });
}

}  // namespace sqlite_cdc
