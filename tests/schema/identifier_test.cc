#include "schema/identifier.h"

#include <gtest/gtest.h>

namespace sqlite_cdc::schema {
namespace {

TEST(QuoteIdentifierTest, WrapsInDoubleQuotesAndDoublesEmbeddedOnes) {
  EXPECT_EQ(QuoteIdentifier("users"), "\"users\"");
  EXPECT_EQ(QuoteIdentifier("we\"ird"), "\"we\"\"ird\"");
  EXPECT_EQ(QuoteIdentifier("select from"), "\"select from\"");
  EXPECT_EQ(QuoteIdentifier("\"\""), "\"\"\"\"\"\"");
}

TEST(QuoteLiteralTest, WrapsInSingleQuotesAndDoublesEmbeddedOnes) {
  EXPECT_EQ(QuoteLiteral("O'Brien"), "'O''Brien'");
  EXPECT_EQ(QuoteLiteral("ü"), "'ü'");
}

// SQLite refuses CREATE of any of these: "object name reserved for internal use".
TEST(IsReservedNameTest, NamesBeginningWithSqliteUnderscoreInAnyCase) {
  for (const char* name : {"sqlite_", "sqlite__cdc_insert", "SQLite_x", "SQLITE_state"}) {
    EXPECT_TRUE(IsReservedName(name)) << name;
  }
  for (const char* name : {"sqlite", "sqlit_", "_sqlite_", "sqlite-x", "sqlitex", ""}) {
    EXPECT_FALSE(IsReservedName(name)) << name;
  }
}

}  // namespace
}  // namespace sqlite_cdc::schema
