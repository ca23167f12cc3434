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

}  // namespace
}  // namespace sqlite_cdc::schema
