#include "schema/bootstrap_sql.h"

#include <gtest/gtest.h>

namespace sqlite_cdc::schema {
namespace {

bool EndsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

TEST(SnapshotSqlTest, RowidTablesAreReadInRowidOrder) {
  TableSchema table{"t", {{"id", "INTEGER", 1}, {"v", "TEXT", 0}}, false, false};
  EXPECT_TRUE(EndsWith(SnapshotSelectSql(table, false), " FROM \"t\" ORDER BY \"t\".rowid"));
}

TEST(SnapshotSqlTest, WithoutRowidTablesAreReadInKeyOrder) {
  TableSchema table{"t", {{"b", "TEXT", 2}, {"a", "INTEGER", 1}, {"v", "TEXT", 0}}, true, false};
  EXPECT_TRUE(EndsWith(SnapshotSelectSql(table, false), " ORDER BY \"t\".\"a\", \"t\".\"b\""));
}

TEST(SnapshotSqlTest, RowidTablesWhoseColumnsTakeEveryRowidNameAreReadInKeyOrder) {
  TableSchema table{"t", {{"k", "TEXT", 1}, {"rowid", "INT", 0}, {"_rowid_", "", 0}, {"OID", "", 0}}, false, false};
  EXPECT_TRUE(EndsWith(SnapshotSelectSql(table, false), " ORDER BY \"t\".\"k\""));
}

}  // namespace
}  // namespace sqlite_cdc::schema
