#include "catalog.h"

#include <algorithm>

#include "schema/identifier.h"
#include "schema/trigger_sql.h"

namespace sqlite_cdc::internal {
namespace {

std::vector<std::string> ColumnNames(Database& db, const std::string& table) {
  Statement statement(db, "SELECT name FROM pragma_table_info(?1)");
  statement.Bind(1, table);
  std::vector<std::string> names;
  while (statement.Step()) names.emplace_back(statement.Text(0));
  return names;
}

// The table's unique indexes over plain columns, with each column's collation in the index; an
// index over an expression is left out, since it names no column.
std::vector<schema::UniqueKey> UniqueKeys(Database& db, const schema::TableSchema& table) {
  Statement indexes(db, "SELECT name, partial FROM pragma_index_list(?1) WHERE \"unique\" ORDER BY seq");
  indexes.Bind(1, table.name);
  std::vector<schema::UniqueKey> keys;
  while (indexes.Step()) {
    Statement columns(db, "SELECT cid, name, coll FROM pragma_index_xinfo(?1) WHERE key ORDER BY seqno");
    columns.Bind(1, std::string(indexes.Text(0)));
    schema::UniqueKey key;
    key.partial = indexes.Int(1) != 0;
    bool plain = true;
    while (columns.Step()) {
      if (columns.IsNull(1) || columns.Int(0) < 0) {
        plain = false;
      } else {
        key.columns.emplace_back(columns.Text(1));
        key.collations.emplace_back(columns.IsNull(2) ? "BINARY" : columns.Text(2));
      }
    }
    if (plain && !key.columns.empty()) keys.push_back(std::move(key));
  }
  return keys;
}

}  // namespace

schema::TableSchema ReadTable(Database& db, const std::string& name) {
  Statement list(db,
                 "SELECT name, type, wr, strict FROM pragma_table_list WHERE schema = 'main' AND name = ?1 "
                 "COLLATE NOCASE");
  list.Bind(1, name);
  if (!list.Step()) throw NotFound("no such table: " + name);
  schema::TableSchema table;
  table.name = std::string(list.Text(0));
  const std::string type(list.Text(1));
  if (type != "table" || table.name.rfind("sqlite_", 0) == 0) {
    throw InvalidInput(name + " is a " + (type == "table" ? "system table" : type) +
                       ", not an ordinary table; only tables can be watched");
  }
  // A table named `sqlite` (any case) is allowed, but its triggers' names would begin with sqlite_.
  if (schema::IsReservedName(schema::TriggerName(table.name, schema::TriggerEvent::kInsert))) {
    throw InvalidInput(name + " cannot be watched: its triggers would be named " + table.name +
                       "__cdc_insert and so on, and SQLite reserves names that begin with sqlite_; rename the table");
  }
  table.without_rowid = list.Int(2) != 0;
  table.strict = list.Int(3) != 0;

  Statement columns(db, "SELECT name, type, pk, coalesce(dflt_value, ''), \"notnull\" FROM pragma_table_info(?1)");
  columns.Bind(1, table.name);
  while (columns.Step()) {
    table.columns.push_back({std::string(columns.Text(0)), std::string(columns.Text(1)),
                             static_cast<int>(columns.Int(2)), std::string(columns.Text(3)), columns.Int(4) != 0});
  }
  table.unique_keys = UniqueKeys(db, table);
  if (table.KeyColumns().empty() && table.RowidAlias().empty()) {
    throw InvalidInput(name + " has columns named rowid, _rowid_ and oid and no primary key: its rows " +
                       "cannot be identified");
  }
  return table;
}

TableDefinition DefineTable(Database& db, const schema::TableSchema& table) {
  TableDefinition definition;
  definition.name = table.name;
  Statement sql(db, "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?1");
  sql.Bind(1, table.name);
  if (sql.Step()) definition.create_sql = std::string(sql.Text(0));
  for (const schema::Column& column : table.columns) definition.columns.push_back(column.name);
  for (const schema::Column& column : table.KeyColumns()) definition.key.push_back(column.name);
  definition.without_rowid = table.without_rowid;
  return definition;
}

std::vector<std::string> UserTables(Database& db, const schema::LogTableNames& names) {
  Statement statement(db,
                      "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' "
                      "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT IN (?1, ?2, ?3, ?4) ORDER BY name");
  statement.Bind(1, names.log).Bind(2, names.state).Bind(3, names.config).Bind(4, names.evicted);
  std::vector<std::string> tables;
  while (statement.Step()) tables.emplace_back(statement.Text(0));
  return tables;
}

bool FeedsLog(const std::string& trigger_sql, const schema::LogTableNames& names) {
  for (const std::string* table : {&names.log, &names.evicted}) {
    if (trigger_sql.find("INSERT INTO " + schema::QuoteIdentifier(*table) + " (") != std::string::npos) return true;
  }
  return false;
}

std::vector<InstalledTrigger> TriggersOn(Database& db, const std::string& table) {
  Statement statement(db,
                      "SELECT name, sql, rowid FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = ?1 "
                      "COLLATE NOCASE ORDER BY name");
  statement.Bind(1, table);
  std::vector<InstalledTrigger> triggers;
  while (statement.Step()) {
    triggers.push_back({std::string(statement.Text(0)), std::string(statement.Text(1)), statement.Int(2)});
  }
  return triggers;
}

std::vector<InstalledTrigger> CdcTriggersOn(Database& db, const std::string& table) {
  std::vector<InstalledTrigger> triggers = TriggersOn(db, table);
  std::erase_if(triggers,
                [](const InstalledTrigger& trigger) { return !schema::LooksLikeCdcTriggerName(trigger.name); });
  return triggers;
}

std::vector<std::string> WatchedTables(Database& db, const schema::LogTableNames& names) {
  Statement statement(db, "SELECT name, tbl_name, sql FROM sqlite_schema WHERE type = 'trigger' ORDER BY tbl_name");
  std::vector<std::string> tables;
  while (statement.Step()) {
    const std::string name(statement.Text(0));
    std::string table(statement.Text(1));
    if (!schema::LooksLikeCdcTriggerName(name) || !FeedsLog(std::string(statement.Text(2)), names)) continue;
    if (tables.empty() || tables.back() != table) tables.push_back(std::move(table));
  }
  return tables;
}

bool TableExists(Database& db, const std::string& name) {
  Statement statement(db, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1 COLLATE NOCASE");
  statement.Bind(1, name);
  return statement.Step();
}

void CheckLogTablesAreOurs(Database& db, const schema::LogTableNames& names) {
  if (TableExists(db, names.log)) {
    const std::vector<std::string> expected(std::begin(schema::kLogColumns), std::end(schema::kLogColumns));
    if (ColumnNames(db, names.log) != expected) {
      throw InvalidInput("log table " + names.log + " is taken by a user table; choose another log_table");
    }
  }
  if (TableExists(db, names.evicted)) {
    const std::vector<std::string> expected{"n", "tablename", "rid", "key", "before"};
    if (ColumnNames(db, names.evicted) != expected) {
      throw InvalidInput("table " + names.evicted + " (the log's eviction table) is taken by a user table; " +
                         "choose another log_table");
    }
  }
  if (TableExists(db, names.state)) {
    const std::vector<std::string> expected{"singleton", "last_deleted_id"};
    if (ColumnNames(db, names.state) != expected) {
      throw InvalidInput("table " + names.state + " (the log's state table) is taken by a user table; " +
                         "choose another log_table");
    }
  }
  if (TableExists(db, names.config)) {
    const std::vector<std::string> expected(std::begin(schema::kConfigColumns), std::end(schema::kConfigColumns));
    if (ColumnNames(db, names.config) != expected) {
      throw InvalidInput("table " + names.config + " (the log's config table) is taken by a user table; " +
                         "choose another log_table");
    }
  }
}

}  // namespace sqlite_cdc::internal
