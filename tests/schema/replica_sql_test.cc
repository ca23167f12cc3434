// How a replica's copy of a table follows the source's ADD, RENAME and DROP COLUMN, and which
// differences it refuses to guess at.
#include "schema/replica_sql.h"

#include <gtest/gtest.h>

namespace sqlite_cdc::schema {
namespace {

TableSchema Table(std::vector<Column> columns) { return TableSchema{"my table", std::move(columns)}; }

// A replica's copy with these columns, the first the key, all untyped but the key (INTEGER).
TableSchema Have(const std::vector<std::string>& names) {
  TableSchema table{"my table", {}};
  for (const std::string& name : names)
    table.columns.push_back({name, table.columns.empty() ? "INTEGER" : "", table.columns.empty() ? 1 : 0});
  return table;
}

using Statements = std::vector<std::string>;
using Renames = std::vector<std::pair<std::string, std::string>>;

TEST(FollowColumnsSqlTest, TheSameColumnsNeedNothing) {
  const auto following = FollowColumnsSql(Have({"id", "a"}), Table({{"id", "INTEGER", 1}, {"a", ""}}));
  ASSERT_TRUE(following);
  EXPECT_EQ(following->statements, Statements{});
  EXPECT_EQ(following->renamed, Renames{});
}

TEST(FollowColumnsSqlTest, AddedColumnsAreAddedWithTheirDeclaredTypeOnly) {
  const auto following = FollowColumnsSql(Have({"id"}), Table({{"id", "INTEGER", 1}, {"note", "TEXT"}, {"any", ""}}));
  ASSERT_TRUE(following);
  EXPECT_EQ(following->statements, (Statements{R"(ALTER TABLE "my table" ADD COLUMN "note" TEXT)",
                                               R"(ALTER TABLE "my table" ADD COLUMN "any")"}));
}

TEST(FollowColumnsSqlTest, ColumnsRenamedInPlaceAreRenamedAndRemembered) {
  const auto following =
      FollowColumnsSql(Have({"id", "e mail", "n"}), Table({{"id", "INTEGER", 1}, {"email\"", ""}, {"n", ""}}));
  ASSERT_TRUE(following);
  EXPECT_EQ(following->statements, Statements{R"(ALTER TABLE "my table" RENAME COLUMN "e mail" TO "email""")"});
  EXPECT_EQ(following->renamed, (Renames{{"e mail", "email\""}}));
}

TEST(FollowColumnsSqlTest, RenamesAndAddsWhileTheReplicaWasAwayAreFollowedTogether) {
  const auto following =
      FollowColumnsSql(Have({"id", "a", "b"}), Table({{"id", "INTEGER", 1}, {"x", ""}, {"b", ""}, {"c", "REAL"}}));
  ASSERT_TRUE(following);
  EXPECT_EQ(following->statements, (Statements{R"(ALTER TABLE "my table" RENAME COLUMN "a" TO "x")",
                                               R"(ALTER TABLE "my table" ADD COLUMN "c" REAL)"}));
  EXPECT_EQ(following->renamed, (Renames{{"a", "x"}}));
}

TEST(FollowColumnsSqlTest, DroppedColumnsAreDropped) {
  const auto following = FollowColumnsSql(Have({"id", "a", "b"}), Table({{"id", "INTEGER", 1}, {"b", ""}}));
  ASSERT_TRUE(following);
  EXPECT_EQ(following->statements, Statements{R"(ALTER TABLE "my table" DROP COLUMN "a")"});
}

TEST(FollowColumnsSqlTest, ADifferenceThatNamesCannotExplainIsRefused) {
  // A dropped column and an added one at the end:
  EXPECT_EQ(FollowColumnsSql(Have({"id", "a", "b"}), Table({{"id", "INTEGER", 1}, {"b", ""}, {"c", ""}})),
            std::nullopt);
  // Columns that changed places:
  EXPECT_EQ(FollowColumnsSql(Have({"id", "a", "b"}), Table({{"id", "INTEGER", 1}, {"b", ""}, {"a", ""}})),
            std::nullopt);
  // A drop and a rename:
  EXPECT_EQ(FollowColumnsSql(Have({"id", "a", "b"}), Table({{"id", "INTEGER", 1}, {"x", ""}})), std::nullopt);
}

TEST(FollowColumnsSqlTest, AnotherTypeKeyOrTableKindIsRefused) {
  // A column kept under its name or renamed, with another declared type:
  EXPECT_EQ(FollowColumnsSql(Have({"id", "a"}), Table({{"id", "INTEGER", 1}, {"a", "TEXT"}})), std::nullopt);
  EXPECT_EQ(FollowColumnsSql(Have({"id", "a"}), Table({{"id", "INTEGER", 1}, {"b", "BLOB"}})), std::nullopt);
  // The key grew to two columns (a table rebuilt):
  EXPECT_EQ(FollowColumnsSql(Have({"id", "a"}), Table({{"id", "INTEGER", 1}, {"a", "", 2}})), std::nullopt);
  // WITHOUT ROWID or STRICT changed:
  TableSchema without_rowid = Table({{"id", "INTEGER", 1}, {"a", ""}});
  without_rowid.without_rowid = true;
  EXPECT_EQ(FollowColumnsSql(Have({"id", "a"}), without_rowid), std::nullopt);
  TableSchema strict = Table({{"id", "INTEGER", 1}, {"a", ""}});
  strict.strict = true;
  EXPECT_EQ(FollowColumnsSql(Have({"id", "a"}), strict), std::nullopt);
  // A renamed key column is still the key:
  const auto renamed_key = FollowColumnsSql(Have({"id", "a"}), Table({{"key", "INTEGER", 1}, {"a", ""}}));
  ASSERT_TRUE(renamed_key);
  EXPECT_EQ(renamed_key->renamed, (Renames{{"id", "key"}}));
}

}  // namespace
}  // namespace sqlite_cdc::schema
