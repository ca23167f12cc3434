#include "schema/trigger_sql.h"

#include <gtest/gtest.h>

namespace sqlite_cdc::schema {
namespace {

TableSchema Users() { return {"users", {{"id", "INTEGER", 1}, {"email", "TEXT", 0}, {"photo", "BLOB", 0}}, false, false}; }

TEST(TriggerSqlTest, OneTriggerPerOperationNamedAfterTheTable) {
  const auto triggers = GenerateTriggers(Users(), {});
  ASSERT_EQ(triggers.size(), 3u);
  EXPECT_EQ(triggers[0].name, "users__cdc_insert");
  EXPECT_EQ(triggers[1].name, "users__cdc_update");
  EXPECT_EQ(triggers[2].name, "users__cdc_delete");
  EXPECT_EQ(triggers[0].create_sql.rfind("CREATE TRIGGER \"users__cdc_insert\" AFTER INSERT ON \"users\"", 0), 0u);
}

TEST(TriggerSqlTest, IdentifiersAreQuotedWhateverTheyHold) {
  TableSchema table{"my \"odd\" table", {{"select", "TEXT", 1}}, false, false};
  const auto triggers = GenerateTriggers(table, {});
  EXPECT_NE(triggers[0].create_sql.find("ON \"my \"\"odd\"\" table\""), std::string::npos);
  EXPECT_NE(triggers[0].create_sql.find("NEW.\"select\""), std::string::npos);
  EXPECT_NE(triggers[0].create_sql.find("'my \"odd\" table'"), std::string::npos);
}

TEST(TriggerSqlTest, BlobColumnsOnlyWithBlobs) {
  TriggerOptions with_blobs;
  with_blobs.blobs = true;
  EXPECT_EQ(GenerateTriggers(Users(), {})[0].create_sql.find("'photo'"), std::string::npos);
  EXPECT_NE(GenerateTriggers(Users(), with_blobs)[0].create_sql.find("'photo'"), std::string::npos);
}

TEST(TriggerSqlTest, TimestampsUseStrftimeWhichWorksOnEveryVersion) {
  EXPECT_EQ(TimestampExpression(true), "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')");
  EXPECT_EQ(TimestampExpression(false), "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')");
  TriggerOptions seconds;
  seconds.subsecond = false;
  EXPECT_EQ(GenerateTriggers(Users(), seconds)[0].create_sql.find("subsec"), std::string::npos);
}

TEST(TriggerSqlTest, WritesToTheConfiguredLogAndNeverUsesAutoincrement) {
  TriggerOptions options;
  options.names = LogTableNames::For("my log");
  const std::string sql = GenerateTriggers(Users(), options)[0].create_sql;
  EXPECT_NE(sql.find("INSERT INTO \"my log\" ("), std::string::npos);
  EXPECT_NE(sql.find("\"my log_state\""), std::string::npos);
  EXPECT_EQ(CreateLogTableSql(options.names).find("AUTOINCREMENT"), std::string::npos);
}

TEST(TriggerSqlTest, UpdateOfTheKeyIsLoggedAsDeleteAndInsert) {
  const std::string sql = GenerateTriggers(Users(), {})[1].create_sql;
  EXPECT_NE(sql.find("'UPDATE'"), std::string::npos);
  EXPECT_NE(sql.find("'DELETE'"), std::string::npos);
  EXPECT_NE(sql.find("'INSERT'"), std::string::npos);
  EXPECT_NE(sql.find("WHERE NOT (OLD.\"id\" IS NEW.\"id\")"), std::string::npos);
}

TEST(TriggerNameTest, RecognisesOnlyCdcSuffixes) {
  EXPECT_TRUE(LooksLikeCdcTriggerName("old_name__cdc_update"));
  EXPECT_FALSE(LooksLikeCdcTriggerName("audit_update"));
}

}  // namespace
}  // namespace sqlite_cdc::schema
