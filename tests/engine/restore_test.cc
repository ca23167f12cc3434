// Restore applies what the engine delivered back into a new database: the tables it builds equal the
// source's, row for row, for every kind of key and value the triggers capture.
#include "sqlite_cdc/restore.h"

#include <gtest/gtest.h>

#include <bit>
#include <filesystem>

#include "sqlite_cdc/engine.h"
#include "sqlite_cdc/setup.h"
#include "support/app_db.h"
#include "support/recording_handler.h"
#include "support/temp_dir.h"

namespace sqlite_cdc {
namespace {

using testing::AppDb;

// Keeps what the engine hands over, the way an archive would, and plays it back as a source.
class RecordedArchive : public testing::RecordingHandler, public RestoreSource {
 public:
  Status Schema(WatchedSchema* schema) override {
    const auto announced = schemas();
    *schema = announced.empty() ? WatchedSchema{} : announced.back();
    next_ = 0;
    return Status::Ok();
  }
  Status Next(Changes* batch) override {
    const auto kept = batches();
    batch->clear();
    if (next_ < kept.size()) *batch = kept[next_++];
    return Status::Ok();
  }

 private:
  size_t next_ = 0;
};

class RestoreTest : public ::testing::Test {
 protected:
  RestoreTest() : source_path_(dir_.File("source.db")), restored_path_(dir_.File("restored.db")), app_(source_path_) {
    app_.Exec("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, score REAL, avatar BLOB)");
    app_.Exec(
        "CREATE TABLE \"order lines\" (\"order\" INTEGER, line INTEGER, qty, note TEXT, "
        "PRIMARY KEY (\"order\", line)) WITHOUT ROWID");
    app_.Exec("CREATE TABLE events (kind TEXT, payload TEXT)");  // rowid table without a declared key
  }

  void Capture() {
    CaptureOptions capture;
    capture.db_path = source_path_;
    capture.blobs = true;
    ASSERT_TRUE(sqlite_cdc::Setup(capture).ok());
  }

  void Drain(RecordedArchive& archive) {
    EngineOptions options;
    options.capture.db_path = source_path_;
    options.capture.blobs = true;
    std::unique_ptr<Engine> engine;
    ASSERT_TRUE(Engine::Open(options, &engine).ok());
    ASSERT_TRUE(engine->DrainOnce(archive).ok());
  }

  std::vector<testing::Row> Rows(AppDb& db, const std::string& table, const std::string& order) {
    return db.Rows("SELECT *, typeof(" + order + ") FROM " + table + " ORDER BY " + order);
  }

  void ExpectSameTables(AppDb& restored) {
    EXPECT_EQ(Rows(restored, "users", "id"), Rows(app_, "users", "id"));
    EXPECT_EQ(restored.Rows("SELECT \"order\", line, qty, typeof(qty), note FROM \"order lines\" ORDER BY 1, 2"),
              app_.Rows("SELECT \"order\", line, qty, typeof(qty), note FROM \"order lines\" ORDER BY 1, 2"));
    EXPECT_EQ(restored.Rows("SELECT rowid, * FROM events ORDER BY rowid"),
              app_.Rows("SELECT rowid, * FROM events ORDER BY rowid"));
    EXPECT_EQ(restored.Rows("SELECT hex(avatar), typeof(avatar), typeof(score) FROM users ORDER BY id"),
              app_.Rows("SELECT hex(avatar), typeof(avatar), typeof(score) FROM users ORDER BY id"));
  }

  testing::TempDir dir_;
  std::string source_path_, restored_path_;
  AppDb app_;
};

TEST_F(RestoreTest, RebuildsEveryTableRowForRow) {
  Capture();
  app_.Exec("INSERT INTO users VALUES (1, 'a@x', 1.5, x'00FF10'), (2, NULL, 9e999, NULL), (3, 'c@x', -9e999, x'')");
  app_.Exec("UPDATE users SET email = 'b@x', avatar = x'CAFE' WHERE id = 2");
  app_.Exec("DELETE FROM users WHERE id = 1");
  app_.Exec("INSERT INTO \"order lines\" VALUES (7, 1, 3, 'three'), (7, 2, 2.5, NULL), (8, 1, 'x', 'text qty')");
  app_.Exec("UPDATE \"order lines\" SET line = 3 WHERE \"order\" = 7 AND line = 2");  // a key change
  app_.Exec("INSERT INTO events VALUES ('click', '{\"x\":1}'), ('view', NULL), ('gone', '')");
  app_.Exec("DELETE FROM events WHERE kind = 'gone'");
  app_.Exec("UPDATE events SET payload = 'changed' WHERE kind = 'view'");
  RecordedArchive archive;
  Drain(archive);

  RestoreReport report;
  const Status status = Restore(restored_path_, archive, RestorePoint{}, &report);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(report.changes_applied, 15);
  EXPECT_EQ(report.last_id, 15);
  AppDb restored(restored_path_);
  ExpectSameTables(restored);
  EXPECT_EQ(restored.Int("SELECT count(*) FROM users"), 2);
}

std::vector<uint64_t> DoubleBits(AppDb& db, const std::string& sql) {
  sqlite3_stmt* statement = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db.handle(), sql.c_str(), -1, &statement, nullptr), SQLITE_OK);
  std::vector<uint64_t> bits;
  while (sqlite3_step(statement) == SQLITE_ROW) {
    EXPECT_EQ(sqlite3_column_type(statement, 0), SQLITE_FLOAT);
    bits.push_back(std::bit_cast<uint64_t>(sqlite3_column_double(statement, 0)));
  }
  sqlite3_finalize(statement);
  return bits;
}

TEST_F(RestoreTest, GivesTheSameDoublesBackBitForBit) {
  Capture();
  const double values[] = {10.0 / 3, 0.1 + 0.2, 9007199254740994.0, 5e-324, 1.7976931348623157e308, -2.5e-8};
  for (size_t i = 0; i < std::size(values); ++i) {
    sqlite3_stmt* statement = nullptr;
    ASSERT_EQ(
        sqlite3_prepare_v2(app_.handle(), "INSERT INTO users (id, score) VALUES (?1, ?2)", -1, &statement, nullptr),
        SQLITE_OK);
    sqlite3_bind_int64(statement, 1, static_cast<int64_t>(i + 1));
    sqlite3_bind_double(statement, 2, values[i]);
    ASSERT_EQ(sqlite3_step(statement), SQLITE_DONE);
    sqlite3_finalize(statement);
  }
  RecordedArchive archive;
  Drain(archive);
  RestoreReport report;
  ASSERT_TRUE(Restore(restored_path_, archive, RestorePoint{}, &report).ok());
  AppDb restored(restored_path_);
  std::vector<uint64_t> expected;
  for (const double value : values) expected.push_back(std::bit_cast<uint64_t>(value));
  EXPECT_EQ(DoubleBits(restored, "SELECT score FROM users ORDER BY id"), expected);
}

TEST_F(RestoreTest, StopsAtTheRequestedLogId) {
  Capture();
  app_.Exec("INSERT INTO users (id, email) VALUES (1, 'first')");
  app_.Exec("INSERT INTO users (id, email) VALUES (2, 'second')");
  app_.Exec("UPDATE users SET email = 'changed' WHERE id = 1");
  RecordedArchive archive;
  Drain(archive);

  RestorePoint point;
  point.id = 2;
  RestoreReport report;
  ASSERT_TRUE(Restore(restored_path_, archive, point, &report).ok());
  EXPECT_EQ(report.changes_applied, 2);
  AppDb restored(restored_path_);
  EXPECT_EQ(restored.Text("SELECT group_concat(email, ',') FROM (SELECT email FROM users ORDER BY id)"),
            "first,second");
}

TEST_F(RestoreTest, RefusesToOverwriteAFile) {
  Capture();
  RecordedArchive archive;
  Drain(archive);
  RestoreReport report;
  const Status status = Restore(source_path_, archive, RestorePoint{}, &report);
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(status.message().find("refusing to overwrite"), std::string::npos);
}

TEST(RestorePointTest, ReadsRfc3339InAnyOffsetAndPrecision) {
  EXPECT_EQ(ParseRfc3339Millis("1970-01-01T00:00:01Z"), 1000);
  EXPECT_EQ(ParseRfc3339Millis("1970-01-01T00:00:01.5Z"), 1500);
  EXPECT_EQ(ParseRfc3339Millis("1970-01-01T00:00:01.123456Z"), 1123);
  EXPECT_EQ(ParseRfc3339Millis("1970-01-01T01:00:00+01:00"), 0);
  EXPECT_EQ(ParseRfc3339Millis("2026-11-22T10:00:00.123Z"), 1795341600123);
  for (const char* bad : {"", "2026-11-22", "2026-11-22T10:00:00", "2026-13-22T10:00:00Z", "2026-11-22T10:00:00.Z",
                          "2026-11-22T10:00:00Zjunk", "yesterday"}) {
    EXPECT_FALSE(ParseRfc3339Millis(bad)) << bad;
  }
}

TEST(RestorePointTest, IncludesChangesUpToTheIdOrTime) {
  Change change;
  change.id = 5;
  change.timestamp = "2026-11-22T10:00:00.500Z";
  EXPECT_TRUE(RestorePoint{}.Includes(change));
  EXPECT_TRUE((RestorePoint{5, std::nullopt}).Includes(change));
  EXPECT_FALSE((RestorePoint{4, std::nullopt}).Includes(change));
  EXPECT_TRUE((RestorePoint{std::nullopt, ParseRfc3339Millis("2026-11-22T10:00:00.500Z")}).Includes(change));
  EXPECT_FALSE((RestorePoint{std::nullopt, ParseRfc3339Millis("2026-11-22T10:00:00Z")}).Includes(change));
}

}  // namespace
}  // namespace sqlite_cdc
