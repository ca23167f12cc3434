// How a replica's copy of a table follows the source's ADD, RENAME and DROP COLUMN, and which
// differences it refuses to guess at.
#include "schema/replica_sql.h"

#include <gtest/gtest.h>

namespace sqlite_cdc::schema {
namespace {

TableSchema Table(std::vector<Column> columns) { return TableSchema{"my table", std::move(columns)}; }

using Statements = std::vector<std::string>;
using Renames = std::vector<std::pair<std::string, std::string>>;

TEST(FollowColumnsSqlTest, TheSameColumnsNeedNothing) {
  const auto following = FollowColumnsSql({"id", "a"}, Table({{"id", "INTEGER", 1}, {"a", "TEXT"}}));
  ASSERT_TRUE(following);
  EXPECT_EQ(following->statements, Statements{});
  EXPECT_EQ(following->renamed, Renames{});
}

TEST(FollowColumnsSqlTest, AddedColumnsAreAddedWithTheirDeclaredTypeOnly) {
  const auto following = FollowColumnsSql({"id"}, Table({{"id", "INTEGER", 1}, {"note", "TEXT"}, {"any", ""}}));
  ASSERT_TRUE(following);
  EXPECT_EQ(following->statements, (Statements{R"(ALTER TABLE "my table" ADD COLUMN "note" TEXT)",
                                               R"(ALTER TABLE "my table" ADD COLUMN "any")"}));
}

TEST(FollowColumnsSqlTest, ColumnsRenamedInPlaceAreRenamedAndRemembered) {
  const auto following =
      FollowColumnsSql({"id", "e mail", "n"}, Table({{"id", "INTEGER", 1}, {"email\"", "TEXT"}, {"n", ""}}));
  ASSERT_TRUE(following);
  EXPECT_EQ(following->statements, Statements{R"(ALTER TABLE "my table" RENAME COLUMN "e mail" TO "email""")"});
  EXPECT_EQ(following->renamed, (Renames{{"e mail", "email\""}}));
}

TEST(FollowColumnsSqlTest, RenamesAndAddsWhileTheReplicaWasAwayAreFollowedTogether) {
  const auto following =
      FollowColumnsSql({"id", "a", "b"}, Table({{"id", "INTEGER", 1}, {"x", ""}, {"b", ""}, {"c", "REAL"}}));
  ASSERT_TRUE(following);
  EXPECT_EQ(following->statements, (Statements{R"(ALTER TABLE "my table" RENAME COLUMN "a" TO "x")",
                                               R"(ALTER TABLE "my table" ADD COLUMN "c" REAL)"}));
  EXPECT_EQ(following->renamed, (Renames{{"a", "x"}}));
}

TEST(FollowColumnsSqlTest, DroppedColumnsAreDropped) {
  const auto following = FollowColumnsSql({"id", "a", "b"}, Table({{"id", "INTEGER", 1}, {"b", ""}}));
  ASSERT_TRUE(following);
  EXPECT_EQ(following->statements, Statements{R"(ALTER TABLE "my table" DROP COLUMN "a")"});
}

TEST(FollowColumnsSqlTest, ADifferenceThatNamesCannotExplainIsRefused) {
  // A dropped column and an added one at the end:
  EXPECT_EQ(FollowColumnsSql({"id", "a", "b"}, Table({{"id", "INTEGER", 1}, {"b", ""}, {"c", ""}})), std::nullopt);
  // Columns that changed places:
  EXPECT_EQ(FollowColumnsSql({"id", "a", "b"}, Table({{"id", "INTEGER", 1}, {"b", ""}, {"a", ""}})), std::nullopt);
  // A drop and a rename:
  EXPECT_EQ(FollowColumnsSql({"id", "a", "b"}, Table({{"id", "INTEGER", 1}, {"x", ""}})), std::nullopt);
}

}  // namespace
}  // namespace sqlite_cdc::schema
