// What the triggers write, checked as a consumer would: every image parses with a strict JSON
// parser and holds exactly the row's values. The application writes through a plain connection.
#include <gtest/gtest.h>

#include <regex>

#include "sqlite_cdc/setup.h"
#include "support/app_db.h"
#include "support/json_check.h"
#include "support/temp_dir.h"

namespace sqlite_cdc {
namespace {

using nlohmann::ordered_json;
using testing::AppDb;
using testing::ReadLog;
using testing::StrictJson;

class TriggerImagesTest : public ::testing::Test {
 protected:
  TriggerImagesTest() : path_(dir_.File("app.db")), app_(path_) {}

  void Watch(const std::string& create_sql, const std::string& table, bool blobs = false, bool subsecond = true) {
    app_.Exec(create_sql);
    CaptureOptions options;
    options.db_path = path_;
    options.tables = {table};
    options.blobs = blobs;
    options.subsecond = subsecond;
    const Status status = sqlite_cdc::Setup(options);
    ASSERT_TRUE(status.ok()) << status.message();
  }

  testing::TempDir dir_;
  std::string path_;
  AppDb app_;
};

TEST_F(TriggerImagesTest, InsertUpdateDeleteCarryBeforeAfterAndKey) {
  Watch("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, score REAL)", "users");
  app_.Exec("INSERT INTO users VALUES (1, 'a@x', 1.5)");
  app_.Exec("UPDATE users SET email = 'b@x' WHERE id = 1");
  app_.Exec("DELETE FROM users WHERE id = 1");
  const auto log = ReadLog(app_);
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0].operation, "INSERT");
  EXPECT_FALSE(log[0].before);
  EXPECT_EQ(StrictJson(log[0].after), ordered_json::parse(R"({"id":1,"email":"a@x","score":1.5})"));
  EXPECT_EQ(log[1].operation, "UPDATE");
  EXPECT_EQ(StrictJson(log[1].before)["email"], "a@x");
  EXPECT_EQ(StrictJson(log[1].after)["email"], "b@x");
  EXPECT_EQ(log[2].operation, "DELETE");
  EXPECT_FALSE(log[2].after);
  EXPECT_EQ(StrictJson(log[2].before)["email"], "b@x");
  for (const auto& row : log) {
    EXPECT_EQ(*row.key, R"({"id":1})");
    EXPECT_EQ(row.table, "users");
  }
}

TEST_F(TriggerImagesTest, TimestampsAreUtcWithMillisecondsOrWholeSeconds) {
  Watch("CREATE TABLE a (v)", "a");
  app_.Exec("INSERT INTO a VALUES (1)");
  EXPECT_TRUE(std::regex_match(ReadLog(app_)[0].timestamp, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")))
      << ReadLog(app_)[0].timestamp;
  Watch("CREATE TABLE b (v)", "b", false, false);
  app_.Exec("INSERT INTO b VALUES (1)");
  EXPECT_TRUE(std::regex_match(ReadLog(app_).back().timestamp, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")))
      << ReadLog(app_).back().timestamp;
}

TEST_F(TriggerImagesTest, KeyFollowsPrimaryKeyOrderOrRowid) {
  Watch("CREATE TABLE pairs (b TEXT, a INTEGER, v TEXT, PRIMARY KEY (a, b)) WITHOUT ROWID", "pairs");
  Watch("CREATE TABLE notes (body TEXT)", "notes");
  app_.Exec("INSERT INTO pairs VALUES ('x', 7, 'v'); INSERT INTO notes(rowid, body) VALUES (42, 'hi')");
  const auto log = ReadLog(app_);
  EXPECT_EQ(*log[0].key, R"({"a":7,"b":"x"})");
  EXPECT_EQ(*log[1].key, R"({"rowid":42})");
}

TEST_F(TriggerImagesTest, UpdateThatChangesTheKeyIsADeleteAndAnInsert) {
  Watch("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)", "users");
  app_.Exec("INSERT INTO users VALUES (1, 'a@x'); UPDATE users SET id = 2 WHERE id = 1");
  const auto log = ReadLog(app_);
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[1].operation, "DELETE");
  EXPECT_EQ(*log[1].key, R"({"id":1})");
  EXPECT_EQ(log[2].operation, "INSERT");
  EXPECT_EQ(*log[2].key, R"({"id":2})");
  EXPECT_EQ(*log[2].after, R"({"id":2,"email":"a@x"})");
}

TEST_F(TriggerImagesTest, IdentifiersOfAnyCharactersWork) {
  const std::string create =
      "CREATE TABLE \"order \"\"items\"\" 📦\" (\"select\" INTEGER PRIMARY KEY, \"a b\" TEXT, \"x'y\" TEXT, "
      "\"}{\" TEXT, \"ünï\" TEXT)";
  Watch(create, "order \"items\" 📦");
  app_.Exec("INSERT INTO \"order \"\"items\"\" 📦\" VALUES (1, 'p', 'q', 'r', 's')");
  const auto log = ReadLog(app_);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].table, "order \"items\" 📦");
  EXPECT_EQ(StrictJson(log[0].after), ordered_json::parse(R"({"select":1,"a b":"p","x'y":"q","}{":"r","ünï":"s"})"));
}

TEST_F(TriggerImagesTest, BlobColumnsAreLeftOutWithoutBlobsAndABlobElsewhereNeverFailsTheWrite) {
  Watch("CREATE TABLE files (id INTEGER PRIMARY KEY, name TEXT, n INTEGER, data BLOB)", "files");
  EXPECT_EQ(app_.TryExec("INSERT INTO files VALUES (1, x'CAFE', x'00', x'01')"), "");
  EXPECT_EQ(StrictJson(ReadLog(app_)[0].after), ordered_json::parse(R"({"id":1,"name":"CAFE","n":"00"})"));
}

TEST_F(TriggerImagesTest, WithBlobsBlobsAreUppercaseHexAndNullStaysNull) {
  Watch("CREATE TABLE files (id INTEGER PRIMARY KEY, data BLOB)", "files", true);
  app_.Exec("INSERT INTO files VALUES (1, x'00ffab'), (2, NULL), (3, x'')");
  const auto log = ReadLog(app_);
  EXPECT_EQ(*log[0].after, R"({"id":1,"data":"00FFAB"})");
  EXPECT_EQ(*log[1].after, R"({"id":2,"data":null})");
  EXPECT_EQ(*log[2].after, R"({"id":3,"data":""})");
}

TEST_F(TriggerImagesTest, AwkwardValuesStillGiveValidJson) {
  Watch("CREATE TABLE v (id INTEGER PRIMARY KEY, r REAL, t TEXT, i INTEGER, s TEXT, a ANY) STRICT", "v");
  Watch("CREATE TABLE loose (id INTEGER PRIMARY KEY, x, y NUMERIC)", "loose");
  app_.Exec("INSERT INTO v VALUES (1, 1e999, 'a' || char(0) || 'b', 9223372036854775807, '\"\\\n', -1e999)");
  app_.Exec("INSERT INTO loose VALUES (1, -1e999, 1e999), (2, x'FF', 'text')");
  const auto log = ReadLog(app_);
  ASSERT_EQ(log.size(), 3u);
  const ordered_json strict = StrictJson(log[0].after);
  EXPECT_EQ(strict["r"], "Infinity");
  EXPECT_EQ(strict["a"], "-Infinity");
  EXPECT_EQ(strict["t"], std::string("a\0b", 3));
  EXPECT_EQ(strict["i"], 9223372036854775807LL);
  EXPECT_EQ(strict["s"], "\"\\\n");
  EXPECT_EQ(StrictJson(log[1].after), ordered_json::parse(R"({"id":1,"x":"-Infinity","y":"Infinity"})"));
  EXPECT_EQ(StrictJson(log[2].after), ordered_json::parse(R"({"id":2,"x":"FF","y":"text"})"));
}

class WideTableTest : public TriggerImagesTest, public ::testing::WithParamInterface<int> {};

// Columns c0..c{n-1}; row r holds NULL in every column whose index is divisible by 7 (so NULLs sit
// on both sides of every 63-column chunk boundary) and r * 10000 + index elsewhere.
TEST_P(WideTableTest, ImagesKeepEveryColumnInOrderIncludingNulls) {
  const int width = GetParam();
  std::string create = "CREATE TABLE wide (id INTEGER PRIMARY KEY";
  std::string insert = "INSERT INTO wide VALUES (1";
  std::string update = "UPDATE wide SET ";
  for (int i = 1; i < width; ++i) {
    create += ", c" + std::to_string(i) + " INTEGER";
    insert += i % 7 == 0 ? ", NULL" : ", " + std::to_string(10000 + i);
    update += (i > 1 ? ", c" : "c") + std::to_string(i) + " = " + (i % 7 == 0 ? std::to_string(20000 + i) : "NULL");
  }
  Watch(create + ")", "wide");
  app_.Exec(insert + ")");
  app_.Exec(update);
  app_.Exec("DELETE FROM wide");
  const auto log = ReadLog(app_);
  ASSERT_EQ(log.size(), 3u);
  const ordered_json inserted = StrictJson(log[0].after);
  const ordered_json updated = StrictJson(log[1].after);
  ASSERT_EQ(inserted.size(), static_cast<size_t>(width));
  ASSERT_EQ(updated.size(), static_cast<size_t>(width));
  EXPECT_EQ(StrictJson(log[1].before), inserted);
  EXPECT_EQ(StrictJson(log[2].before), updated);
  int index = 0;
  for (const auto& [name, value] : inserted.items()) {
    EXPECT_EQ(name, index == 0 ? "id" : "c" + std::to_string(index));
    if (index == 0) {
      EXPECT_EQ(value, 1);
    } else if (index % 7 == 0) {
      EXPECT_TRUE(value.is_null()) << name;
      EXPECT_EQ(updated[name], 20000 + index);
    } else {
      EXPECT_EQ(value, 10000 + index) << name;
      EXPECT_TRUE(updated[name].is_null()) << name;
    }
    ++index;
  }
}

INSTANTIATE_TEST_SUITE_P(Widths, WideTableTest, ::testing::Values(2, 63, 64, 127, 1000, 2000));

}  // namespace
}  // namespace sqlite_cdc
