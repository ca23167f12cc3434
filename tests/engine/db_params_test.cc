#include "db_params.h"

#include <gtest/gtest.h>

#include "database.h"

namespace sqlite_cdc::internal {
namespace {

TEST(DbParamsTest, ParsesTheReferenceSyntax) {
  const auto pragmas = ParseDbParams("_pragma=journal_mode(wal)&_pragma=busy_timeout(5000)");
  ASSERT_EQ(pragmas.size(), 2u);
  EXPECT_EQ(PragmaSql(pragmas[0]), "PRAGMA journal_mode=wal");
  EXPECT_EQ(PragmaSql(pragmas[1]), "PRAGMA busy_timeout=5000");
  EXPECT_TRUE(ParseDbParams("").empty());
}

TEST(DbParamsTest, RejectsAnythingThatIsNotAPlainPragma) {
  EXPECT_THROW(ParseDbParams("_txlock=immediate"), InvalidInput);
  EXPECT_THROW(ParseDbParams("_pragma=journal_mode"), InvalidInput);
  EXPECT_THROW(ParseDbParams("_pragma=foo(1);DROP TABLE t)"), InvalidInput);
  EXPECT_THROW(ParseDbParams("_pragma=a b(1)"), InvalidInput);
}

}  // namespace
}  // namespace sqlite_cdc::internal
