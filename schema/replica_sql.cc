#include "schema/replica_sql.h"

#include <algorithm>

#include "schema/identifier.h"

namespace sqlite_cdc::schema {

namespace {

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

std::optional<ColumnFollowing> FollowColumnsSql(const std::vector<std::string>& have, const TableSchema& want) {
  std::vector<std::string> wanted;
  for (const Column& column : want.columns) wanted.push_back(column.name);
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
    following.statements.push_back(statement);
  }
  return following;
}

}  // namespace sqlite_cdc::schema
