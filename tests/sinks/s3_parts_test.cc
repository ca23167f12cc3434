// The pure pieces of the S3 archive: its URL, object names, formats and compression.
#include <gtest/gtest.h>

#include <cstdlib>

#include "sinks/s3/archive_layout.h"
#include "sinks/s3/gzip.h"
#include "sinks/s3/s3_location.h"

namespace sqlite_cdc::sinks {
namespace {

S3Location Parsed(const std::string& text) {
  S3Location location;
  const Status status = ParseS3Url(text, &location);
  EXPECT_TRUE(status.ok()) << status.message();
  return location;
}

TEST(S3LocationTest, DefaultsToAwsWithVirtualHostedBuckets) {
  unsetenv("AWS_REGION");
  unsetenv("AWS_DEFAULT_REGION");
  const S3Location location = Parsed("s3://my-archive/apps/billing/");
  EXPECT_EQ(location.bucket, "my-archive");
  EXPECT_EQ(location.prefix, "apps/billing");
  EXPECT_EQ(location.region, "us-east-1");
  EXPECT_TRUE(location.endpoint.tls);
  EXPECT_EQ(location.endpoint.host, "my-archive.s3.us-east-1.amazonaws.com");
  EXPECT_EQ(location.ObjectPath(location.Key("changes/a b.gz")), "/apps/billing/changes/a%20b.gz");
  EXPECT_EQ(location.BucketPath(), "/");
}

TEST(S3LocationTest, TakesEndpointRegionAndPathStyle) {
  const S3Location minio =
      Parsed("s3://cdc/db1?endpoint=http://minio.local:9000&region=eu-west-3&force_path_style=true");
  EXPECT_EQ(minio.endpoint.Origin(), "http://minio.local:9000");
  EXPECT_EQ(minio.region, "eu-west-3");
  EXPECT_EQ(minio.ObjectPath("db1/x"), "/cdc/db1/x");
  EXPECT_EQ(minio.BucketPath(), "/cdc");
  EXPECT_TRUE(Parsed("s3://cdc?endpoint=http%3A%2F%2F127.0.0.1%3A4568").path_style) << "an IP cannot host a bucket";
  EXPECT_EQ(Parsed("s3://cdc?endpoint=http://127.0.0.1:4568").prefix, "");
  setenv("AWS_REGION", "ap-south-1", 1);
  EXPECT_EQ(Parsed("s3://cdc/p").region, "ap-south-1");
  unsetenv("AWS_REGION");
}

TEST(S3LocationTest, RefusesMalformedUrls) {
  for (const std::string bad : {"s3:/cdc", "s3://", "s3://UPPER/x", "s3://ab", "s3://cdc?endpoint=ftp://x",
                                "s3://cdc?regoin=x", "s3://cdc?force_path_style=yes", "s3://cdc?endpoint=http://h/p"}) {
    S3Location location;
    EXPECT_EQ(ParseS3Url(bad, &location).code(), Status::Code::kInvalidArgument) << bad;
  }
}

TEST(ArchiveLayoutTest, ObjectNamesSortInLogOrderAndParseBack) {
  EXPECT_EQ(ChangesObjectName(1, 256), "changes/00000000000000000001-00000000000000000256.ndjson.gz");
  EXPECT_LT(ChangesObjectName(999, 1000), ChangesObjectName(1001, 1001));
  EXPECT_LT(ChangesObjectName(1, 8), ChangesObjectName(1, 20)) << "a re-cut batch sorts after the shorter one";
  EXPECT_EQ(ParseChangesObjectName(ChangesObjectName(42, 9000000000)),
            std::make_pair(int64_t{42}, int64_t{9000000000}));
  EXPECT_FALSE(ParseChangesObjectName("changes/00000000000000000002-00000000000000000001.ndjson.gz"));
  EXPECT_FALSE(ParseChangesObjectName("changes/notes.txt"));
  EXPECT_EQ(ParseSchemaObjectName(SchemaObjectName(17)), 17);
  EXPECT_EQ(ParseSnapshotManifestName(SnapshotManifestName("20261122T100000Z-0a1b2c3d")), "20261122T100000Z-0a1b2c3d");
  EXPECT_FALSE(ParseSnapshotManifestName(SnapshotPartName("run", 1)));
  EXPECT_EQ(SnapshotPartName("run", 7), "snapshots/run/part-000007.ndjson.gz");
}

TEST(ArchiveLayoutTest, SchemaAndManifestRoundTrip) {
  WatchedSchema schema;
  schema.log_position = 99;
  schema.tables.push_back({"order lines",
                           "CREATE TABLE \"order lines\" (a, b, PRIMARY KEY (a, b)) WITHOUT ROWID",
                           {"a", "b"},
                           {"a", "b"},
                           true});
  WatchedSchema back;
  std::string stored_at;
  ASSERT_TRUE(ParseSchemaJson(SchemaJson(schema, "2026-11-22T10:00:00Z"), &back, &stored_at));
  EXPECT_EQ(back.log_position, 99);
  ASSERT_EQ(back.tables.size(), 1u);
  EXPECT_EQ(back.tables[0].create_sql, schema.tables[0].create_sql);
  EXPECT_EQ(back.tables[0].key, schema.tables[0].key);
  EXPECT_TRUE(back.tables[0].without_rowid);
  EXPECT_EQ(stored_at, "2026-11-22T10:00:00Z");

  SnapshotManifest manifest{120, 3, 700, "2026-11-22T10:00:00.123Z"}, read;
  ASSERT_TRUE(ParseManifestJson(ManifestJson(manifest), &read));
  EXPECT_EQ(read.log_position, 120);
  EXPECT_EQ(read.parts, 3);
  EXPECT_EQ(read.rows, 700);
  EXPECT_EQ(read.taken_at, manifest.taken_at);
  EXPECT_FALSE(ParseManifestJson("{}", &read));
}

TEST(ArchiveLayoutTest, EventLinesAreTheJsonOutputAndParseBack) {
  Changes batch(2);
  batch[0] = {7,
              "users",
              "2026-11-22T10:00:00.123Z",
              Operation::kUpdate,
              R"({"id":1})",
              R"({"id":1,"e":null})",
              R"({"id":1,"e":"é"})",
              false};
  batch[1] = {
      8,    "users", "2026-11-22T10:00:00.124Z", Operation::kDelete, R"({"id":1})", R"({"id":1,"e":"é"})", std::nullopt,
      false};
  const std::string lines = EventLines(batch);
  EXPECT_EQ(std::count(lines.begin(), lines.end(), '\n'), 2);
  Changes back;
  ASSERT_TRUE(ParseEventLines(lines, &back));
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].id, 7);
  EXPECT_EQ(back[0].operation, Operation::kUpdate);
  EXPECT_EQ(back[0].after, R"({"e":"é","id":1})");
  EXPECT_EQ(back[1].operation, Operation::kDelete);
  EXPECT_FALSE(back[1].after);
  EXPECT_FALSE(ParseEventLines("{\"id\":1}\n", &back));
}

TEST(GzipTest, RoundTripsAndRejectsDamage) {
  std::string data;
  for (int i = 0; i < 10000; ++i) data += "{\"id\":" + std::to_string(i) + "}\n";
  const std::string packed = Gzip(data);
  EXPECT_LT(packed.size(), data.size() / 4);
  EXPECT_EQ(static_cast<unsigned char>(packed[0]), 0x1f) << "a gzip member, readable by gunzip";
  EXPECT_EQ(Gunzip(packed), data);
  EXPECT_EQ(Gunzip(Gzip("")), "");
  EXPECT_FALSE(Gunzip(packed.substr(0, packed.size() / 2)));
  EXPECT_FALSE(Gunzip("not gzip"));
}

}  // namespace
}  // namespace sqlite_cdc::sinks
