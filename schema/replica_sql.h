#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "schema/table_schema.h"

namespace sqlite_cdc::schema {

// How a replica's copy of a table follows the source's table.
struct ColumnFollowing {
  std::vector<std::string> statements;                       // ALTER TABLE ..., in order
  std::vector<std::pair<std::string, std::string>> renamed;  // old name, new name
};

// The ALTER TABLE statements that bring a replica's copy of a table, `have`, up to the source's
// table `want` without losing the data of a column both keep. SQLite's ALTER TABLE appends added
// columns, renames in place and drops, so: with no column dropped, each of `have`'s positions keeps
// its name or is renamed (to a name `have` does not use, from one `want` does not use), and `want`'s
// further columns are added (with their declared type only: the source already enforced its
// constraints); with columns dropped and nothing added or renamed, they are dropped.
//
// nullopt for any other difference, which only a new copy of the table follows: a drop together
// with a rename or an add (which old column became which new one cannot be told from the names), a
// column kept with another declared type, another primary key, WITHOUT ROWID or STRICT changed.
std::optional<ColumnFollowing> FollowColumnsSql(const TableSchema& have, const TableSchema& want);

}  // namespace sqlite_cdc::schema
