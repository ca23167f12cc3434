#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sqlite_cdc/status.h"
#include "sqlite_cdc/watched_schema.h"

namespace sqlite_cdc {

// One column of a watched table, as its CREATE statement declares it.
struct ColumnDefinition {
  std::string name;
  std::string declared_type;  // as written, possibly empty (an untyped column)
  // What rows that predate the column hold when ALTER TABLE ADD COLUMN added it: its DEFAULT's value
  // as a row image writes it (a JSON value: "EUR", 0, 2.5, null), with the column's affinity
  // applied. nullopt without a default, or with one ADD COLUMN does not take (CURRENT_TIMESTAMP).
  std::optional<std::string> added_value;
};

// The columns `table.create_sql` makes, in table order: the members of the table's row images.
// For sinks that map SQLite's types onto another database's (the PostgreSQL replica). Fails with
// kInvalidArgument when the statement does not define the table.
Status ReadColumns(const TableDefinition& table, std::vector<ColumnDefinition>* columns);

}  // namespace sqlite_cdc
