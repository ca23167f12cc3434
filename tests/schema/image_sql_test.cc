#include "schema/image_sql.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>

namespace sqlite_cdc::schema {
namespace {

size_t Count(const std::string& text, const std::string& needle) {
  size_t count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++count;
  return count;
}

std::vector<JsonMember> Members(int n) {
  std::vector<JsonMember> members;
  for (int i = 0; i < n; ++i) members.emplace_back("c" + std::to_string(i), i % 3 == 0 ? "NULL" : std::to_string(i));
  return members;
}

// Evaluates a constant SQL expression in an in-memory database (no file, no I/O).
std::string Evaluate(const std::string& expression) {
  sqlite3* db = nullptr;
  sqlite3_open(":memory:", &db);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, ("SELECT " + expression).c_str(), -1, &stmt, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  std::string result;
  if (stmt && sqlite3_step(stmt) == SQLITE_ROW) result = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return result;
}

TEST(JsonObjectExpressionTest, UpTo63MembersIsOneJsonObjectCall) {
  const std::string sql = JsonObjectExpression(Members(63));
  EXPECT_EQ(Count(sql, "json_object("), 1u);
}

TEST(JsonObjectExpressionTest, WiderObjectsAreSplicedChunksNotNestedPatches) {
  const std::string sql = JsonObjectExpression(Members(2000));
  EXPECT_EQ(Count(sql, "json_object("), 32u);  // ceil(2000 / 63)
  EXPECT_EQ(Count(sql, "json_patch"), 0u);
}

TEST(JsonObjectExpressionTest, SplicedObjectKeepsEveryMemberInOrderIncludingNulls) {
  for (int width : {1, 63, 64, 126, 127, 200}) {
    const auto json = nlohmann::ordered_json::parse(Evaluate(JsonObjectExpression(Members(width))));
    ASSERT_EQ(json.size(), static_cast<size_t>(width)) << width;
    int i = 0;
    for (const auto& [name, value] : json.items()) {
      EXPECT_EQ(name, "c" + std::to_string(i));
      if (i % 3 == 0) {
        EXPECT_TRUE(value.is_null()) << name;
      } else {
        EXPECT_EQ(value, i);
      }
      ++i;
    }
  }
}

TEST(ColumnValueExpressionTest, StrictIntegerAndTextColumnsNeedNoChecks) {
  TableSchema table{"t", {{"a", "INTEGER", 0}, {"b", "TEXT", 0}}, false, true};
  EXPECT_EQ(ColumnValueExpression(table, table.columns[0], "NEW"), "NEW.\"a\"");
  EXPECT_EQ(ColumnValueExpression(table, table.columns[1], "NEW"), "NEW.\"b\"");
}

TEST(ColumnValueExpressionTest, NonStrictColumnsTurnBlobsIntoHex) {
  TableSchema table{"t", {{"a", "INTEGER", 0}, {"b", "TEXT", 0}, {"c", "", 0}}, false, false};
  for (const Column& column : table.columns) {
    EXPECT_NE(ColumnValueExpression(table, column, "NEW").find("hex("), std::string::npos) << column.name;
  }
}

TEST(KeyExpressionTest, UsesKeyOrderNotColumnOrder) {
  TableSchema table{"t", {{"b", "TEXT", 2}, {"a", "INTEGER", 1}, {"v", "TEXT", 0}}, true, false};
  const std::string sql = KeyExpression(table, "NEW");
  EXPECT_LT(sql.find("'a'"), sql.find("'b'"));
  EXPECT_EQ(sql.find("'v'"), std::string::npos);
}

TEST(KeyExpressionTest, RowidTableWithoutKeyUsesAnUnshadowedRowidAlias) {
  TableSchema plain{"t", {{"v", "TEXT", 0}}, false, false};
  EXPECT_EQ(KeyExpression(plain, "NEW"), "json_object('rowid', NEW.rowid)");
  TableSchema shadowed{"t", {{"rowid", "TEXT", 0}}, false, false};
  EXPECT_EQ(KeyExpression(shadowed, "NEW"), "json_object('rowid', NEW._rowid_)");
}

}  // namespace
}  // namespace sqlite_cdc::schema
