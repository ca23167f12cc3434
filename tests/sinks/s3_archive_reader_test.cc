// S3ArchiveReader against a real HTTP server on loopback that answers as a test scripts it.
#include "sinks/s3/s3_archive_reader.h"

#include <gtest/gtest.h>

#include <map>

#include "sinks/s3/archive_layout.h"
#include "sinks/s3/gzip.h"
#include "sinks/s3/s3_location.h"
#include "support/http_test_server.h"

namespace sqlite_cdc::sinks {
namespace {

using std::chrono::milliseconds;

// An archive listed while a retention pass deletes what no restore inside the window needs: an
// older snapshot (its complete.json first), the changes only it started, an older schema object.
// What the listing named and a read no longer finds is left out, as if never listed: --list and a
// restore see the archive as the pass leaves it, not as damaged.
class ArchiveDuringARetentionPassTest : public ::testing::Test {
 protected:
  ArchiveDuringARetentionPassTest()
      : server_([this](const testing::ReceivedRequest& request, size_t) { return Answer(request); }) {
    const auto at = [](int minute) {
      return std::chrono::system_clock::time_point(std::chrono::minutes(29'400'000 + minute));
    };
    old_run_ = SnapshotRunName(at(0));
    new_run_ = SnapshotRunName(at(60));
    WatchedSchema schema;
    schema.tables = {{"t", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)", {"id", "v"}, {"id"}}};
    schema.log_position = 0;
    Listed(SchemaObjectName(0), std::nullopt);  // deleted by the pass
    schema.log_position = 10;
    Listed(SchemaObjectName(10), SchemaJson(schema, "2026-11-30T11:00:00Z"));
    Listed(SnapshotManifestName(old_run_), std::nullopt);
    Listed(SnapshotPartName(old_run_, 1), Gzip(EventLines({Row(1, true)})));
    Listed(SnapshotManifestName(new_run_), ManifestJson({10, 1, 1, "2026-11-30T11:00:00.000Z"}));
    Listed(SnapshotPartName(new_run_, 1), Gzip(EventLines({Row(1, true)})));
    Listed(ChangesObjectName(1, 10), std::nullopt);
    Listed(ChangesObjectName(11, 12), Gzip(EventLines({Row(11, false), Row(12, false)})));
  }

  static Change Row(int64_t id, bool bootstrap) {
    Change change;
    change.id = bootstrap ? 0 : id;
    change.table = "t";
    change.timestamp = "2026-11-30T11:00:0" + std::to_string(id % 10) + ".000Z";
    change.key = "{\"id\":" + std::to_string(id) + "}";
    change.after = "{\"id\":" + std::to_string(id) + ",\"v\":\"x\"}";
    change.bootstrap = bootstrap;
    return change;
  }

  // `body` nullopt: listed, and gone when read.
  void Listed(const std::string& name, std::optional<std::string> body) { objects_["p/" + name] = std::move(body); }

  testing::Reply Answer(const testing::ReceivedRequest& request) {
    if (request.target.find("list-type=2") != std::string::npos) {
      std::string page = "<?xml version=\"1.0\"?><ListBucketResult><IsTruncated>false</IsTruncated>";
      for (const auto& [key, body] : objects_) page += "<Contents><Key>" + key + "</Key><Size>1</Size></Contents>";
      return testing::Reply::Status(200, page + "</ListBucketResult>");
    }
    const std::string key = request.target.substr(std::string("/bucket/").size());
    const auto found = objects_.find(key);
    if (found == objects_.end() || !found->second) {
      return testing::Reply::Status(404, "<Error><Code>NoSuchKey</Code></Error>");
    }
    return testing::Reply::Status(200, *found->second);
  }

  S3ArchiveReader Reader() {
    S3Location location;
    EXPECT_TRUE(ParseS3Url("s3://bucket/p?endpoint=" + server_.Url("") + "&force_path_style=true", &location).ok());
    return S3ArchiveReader(std::make_unique<S3Client>(location, AwsCredentials{"id", "secret", ""}, milliseconds(5000)),
                           RestorePoint{});
  }

  std::map<std::string, std::optional<std::string>> objects_;
  std::string old_run_, new_run_;
  testing::HttpTestServer server_;
};

TEST_F(ArchiveDuringARetentionPassTest, ListLeavesOutWhatThePassDeletedAndCallsNothingDamaged) {
  ArchiveInventory inventory;
  const Status status = Reader().Describe(&inventory, /*verify=*/true);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_TRUE(inventory.damaged_objects.empty());
  ASSERT_EQ(inventory.snapshots.size(), 1u) << "the older snapshot is on its way out";
  EXPECT_EQ(inventory.snapshots[0].run, new_run_);
  ASSERT_EQ(inventory.restorable.size(), 1u);
  EXPECT_EQ(inventory.restorable[0].ids.first, 10);
  EXPECT_EQ(inventory.restorable[0].ids.last, 12);
}

TEST_F(ArchiveDuringARetentionPassTest, ARestoreReadsTheSchemaInEffectAndTheChangesAfterTheNewerSnapshot) {
  S3ArchiveReader reader = Reader();
  WatchedSchema schema;
  const Status status = reader.Schema(&schema);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(schema.log_position, 10);
  Changes batch;
  std::vector<int64_t> ids;
  while (reader.Next(&batch).ok() && !batch.empty()) {
    for (const Change& change : batch) ids.push_back(change.bootstrap ? 0 : change.id);
  }
  EXPECT_EQ(ids, (std::vector<int64_t>{0, 11, 12})) << "the snapshot's row, then the changes after it";
}

}  // namespace
}  // namespace sqlite_cdc::sinks
