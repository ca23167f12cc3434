#include "schema/replica_sql.h"

#include <algorithm>

#include "schema/identifier.h"

namespace sqlite_cdc::schema {

namespace {

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// The column names, in table order.
std::vector<std::string> Names(const std::vector<Column>& columns) {
  std::vector<std::string> names;
  for (const Column& column : columns) names.push_back(column.name);
  return names;
}

// Which of the differences between the two tables' columns ALTER TABLE can follow (see the header);
// nullopt when it cannot.
std::optional<ColumnFollowing> FollowNames(const std::vector<std::string>& have, const TableSchema& want) {
  const std::vector<std::string> wanted = Names(want.columns);
  const std::string table = "ALTER TABLE " + QuoteIdentifier(want.name);
  ColumnFollowing following;
  if (have.size() > wanted.size()) {
    for (const std::string& name : wanted) {
      if (!Contains(have, name)) return std::nullopt;
    }
    for (const std::string& name : have) {
      if (!Contains(wanted, name)) following.statements.push_back(table + " DROP COLUMN " + QuoteIdentifier(name));
    }
    return following;
  }
  for (size_t i = 0; i < have.size(); ++i) {
    if (have[i] == wanted[i]) continue;
    if (Contains(wanted, have[i]) || Contains(have, wanted[i])) return std::nullopt;  // moved, not renamed
    following.statements.push_back(table + " RENAME COLUMN " + QuoteIdentifier(have[i]) + " TO " +
                                   QuoteIdentifier(wanted[i]));
    following.renamed.emplace_back(have[i], wanted[i]);
  }
  for (size_t i = have.size(); i < wanted.size(); ++i) {
    if (Contains(have, wanted[i])) return std::nullopt;
    std::string statement = table + " ADD COLUMN " + QuoteIdentifier(wanted[i]);
    if (!want.columns[i].declared_type.empty()) statement += " " + want.columns[i].declared_type;
    // The source's rows that predate the column read its default: so do the replica's.
    if (IsLiteralDefault(want.columns[i].default_sql)) statement += " DEFAULT " + want.columns[i].default_sql;
    following.statements.push_back(statement);
  }
  return following;
}

// The name a column of `have` has in `want`: its own, or what it was renamed to; empty when dropped.
std::string NameAfter(const std::string& name, const ColumnFollowing& following) {
  for (const auto& [old_name, new_name] : following.renamed) {
    if (old_name == name) return new_name;
  }
  return name;
}

}  // namespace

std::optional<ColumnFollowing> FollowColumnsSql(const TableSchema& have, const TableSchema& want) {
  if (have.without_rowid != want.without_rowid || have.strict != want.strict) return std::nullopt;
  std::optional<ColumnFollowing> following = FollowNames(Names(have.columns), want);
  if (!following) return std::nullopt;
  std::vector<std::string> key_after;
  for (const Column& column : have.KeyColumns()) key_after.push_back(NameAfter(column.name, *following));
  if (key_after != Names(want.KeyColumns())) return std::nullopt;
  for (const Column& column : have.columns) {
    const std::string name = NameAfter(column.name, *following);
    for (const Column& wanted : want.columns) {
      if (wanted.name == name && wanted.declared_type != column.declared_type) return std::nullopt;
    }
  }
  return following;
}

}  // namespace sqlite_cdc::schema
