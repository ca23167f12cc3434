#include "schema/trigger_sql.h"

#include <gtest/gtest.h>

namespace sqlite_cdc::schema {
namespace {

TableSchema Users() {
  return {"users", {{"id", "INTEGER", 1}, {"email", "TEXT", 0}, {"photo", "BLOB", 0}}, false, false};
}

TEST(TriggerSqlTest, TriggersAreNamedAfterTheTableAndWhatTheyLog) {
  const auto triggers = GenerateTriggers(Users(), {});
  std::vector<std::string> names;
  for (const TriggerSql& trigger : triggers) names.push_back(trigger.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"users__cdc_insert", "users__cdc_update", "users__cdc_delete", "users__cdc_rekey",
                                      "users__cdc_evict", "users__cdc_update_stash", "users__cdc_update_evicted"}));
  EXPECT_EQ(triggers[0].create_sql.rfind("CREATE TRIGGER \"users__cdc_insert\" AFTER INSERT ON \"users\"", 0), 0u);
  EXPECT_EQ(triggers[4].create_sql.rfind("CREATE TRIGGER \"users__cdc_evict\" BEFORE INSERT ON \"users\"", 0), 0u);
  EXPECT_EQ(triggers[5].create_sql.rfind("CREATE TRIGGER \"users__cdc_update_stash\" BEFORE UPDATE ON \"users\"", 0),
            0u);
  for (const TriggerSql& trigger : triggers) EXPECT_TRUE(LooksLikeCdcTriggerName(trigger.name)) << trigger.name;
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

// Ids come from SQLite's own INTEGER PRIMARY KEY allocation: no AUTOINCREMENT (a write to
// sqlite_sequence per change), and no statement reads the log (that would materialise the INSERT).
TEST(TriggerSqlTest, WritesToTheConfiguredLogWithoutReadingIt) {
  TriggerOptions options;
  options.names = LogTableNames::For("my log");
  for (const TriggerSql& trigger : GenerateTriggers(Users(), options)) {
    EXPECT_EQ(trigger.create_sql.find("FROM \"my log\""), std::string::npos) << trigger.create_sql;
  }
  EXPECT_NE(GenerateTriggers(Users(), options)[0].create_sql.find("INSERT INTO \"my log\" (timestamp,"),
            std::string::npos);
  EXPECT_EQ(CreateLogTableSql(options.names).find("AUTOINCREMENT"), std::string::npos);
}

TEST(TriggerSqlTest, UpdateOfTheKeyIsLoggedAsDeleteAndInsertByItsOwnTrigger) {
  const auto triggers = GenerateTriggers(Users(), {});
  const std::string& update = triggers[1].create_sql;
  const std::string& rekey = triggers[3].create_sql;
  EXPECT_NE(update.find("WHEN (OLD.\"id\" IS NEW.\"id\" COLLATE BINARY) AND"), std::string::npos) << update;
  EXPECT_NE(update.find("'UPDATE'"), std::string::npos);
  EXPECT_NE(rekey.find("WHEN NOT (OLD.\"id\" IS NEW.\"id\" COLLATE BINARY)"), std::string::npos) << rekey;
  EXPECT_LT(rekey.find("'DELETE'"), rekey.find("'INSERT'"));
}

TEST(TriggerSqlTest, UnchangedUpdatesAreSkippedUnlessAskedFor) {
  TriggerOptions keep;
  keep.keep_unchanged_updates = true;
  EXPECT_NE(GenerateTriggers(Users(), {})[1].create_sql.find("OLD.\"email\" IS NOT NEW.\"email\" COLLATE BINARY"),
            std::string::npos);
  EXPECT_EQ(GenerateTriggers(Users(), keep)[1].create_sql.find("IS NOT"), std::string::npos);
}

TEST(TriggerNameTest, RecognisesOnlyCdcSuffixes) {
  EXPECT_TRUE(LooksLikeCdcTriggerName("old_name__cdc_update"));
  EXPECT_FALSE(LooksLikeCdcTriggerName("audit_update"));
}

}  // namespace
}  // namespace sqlite_cdc::schema
