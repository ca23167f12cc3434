#include "schema/bootstrap_sql.h"

#include <gtest/gtest.h>

namespace sqlite_cdc::schema {
namespace {

TEST(BootstrapSqlTest, RowidTablesPageByRowid) {
  TableSchema table{"t", {{"id", "INTEGER", 1}, {"v", "TEXT", 0}}, false, false};
  const BootstrapQuery query = GenerateBootstrapQuery(table, false);
  EXPECT_EQ(query.cursor_columns, 1);
  EXPECT_NE(query.next_page_sql.find("WHERE \"t\".rowid > ?1 ORDER BY \"t\".rowid LIMIT ?2"), std::string::npos);
  EXPECT_NE(query.first_page_sql.find("ORDER BY \"t\".rowid LIMIT ?1"), std::string::npos);
}

TEST(BootstrapSqlTest, CompositeKeysPageWithARowValueComparison) {
  TableSchema table{"t", {{"b", "TEXT", 2}, {"a", "INTEGER", 1}, {"v", "TEXT", 0}}, true, false};
  const BootstrapQuery query = GenerateBootstrapQuery(table, false);
  EXPECT_EQ(query.cursor_columns, 2);
  EXPECT_NE(query.next_page_sql.find("WHERE (\"t\".\"a\", \"t\".\"b\") > (?1, ?2) ORDER BY \"t\".\"a\", \"t\".\"b\" LIMIT ?3"),
            std::string::npos);
  EXPECT_EQ(query.next_page_sql.find(" AND "), std::string::npos);
}

}  // namespace
}  // namespace sqlite_cdc::schema
