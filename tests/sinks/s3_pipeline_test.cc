// The S3 archive as a pipelined handler, against s3rver on loopback: batches sent ahead of their
// confirmation become objects cut by size, by time, on flush and at a schema change; objects cover
// contiguous id ranges; batches are confirmed in send order and only once their object and every
// earlier one are stored; a failed PUT forgets what was not confirmed, and sending that again gives
// an archive the reader restores in full.
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>

#include "sinks/s3/archive_layout.h"
#include "sinks/s3/gzip.h"
#include "sinks/s3/s3_archive_reader.h"
#include "sinks/s3/s3_archive_sink.h"
#include "support/s3_test_server.h"

namespace sqlite_cdc::sinks {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr char kPrefix[] = "archive";

Change Event(int64_t id) {
  Change change;
  change.id = id;
  change.table = "items";
  change.timestamp = "2026-11-30T10:00:00.000Z";
  change.operation = Operation::kUpdate;
  change.key = "{\"id\":" + std::to_string(id % 17) + "}";
  change.before = "{\"id\":" + std::to_string(id % 17) + ",\"n\":" + std::to_string(id - 1) + "}";
  change.after = "{\"id\":" + std::to_string(id % 17) + ",\"n\":" + std::to_string(id) + "}";
  return change;
}

// Changes first..last, in batches of `size` (the last one shorter).
std::vector<Changes> Batches(int64_t first, int64_t last, int64_t size) {
  std::vector<Changes> batches;
  for (int64_t id = first; id <= last; ++id) {
    if ((id - first) % size == 0) batches.emplace_back();
    batches.back().push_back(Event(id));
  }
  return batches;
}

class S3PipelineTest : public ::testing::Test {
 protected:
  S3PipelineTest() : server_("cdc-pipeline") {}

  S3Location Location(const std::string& bucket = "cdc-pipeline") const {
    S3Location location;
    EXPECT_TRUE(ParseS3Url("s3://" + bucket + "/" + kPrefix + "?endpoint=" + server_.endpoint(), &location).ok());
    return location;
  }

  std::unique_ptr<S3ArchiveSink> Sink(S3SinkOptions options, const std::string& bucket = "cdc-pipeline") {
    const S3Location location = Location(bucket);
    return std::make_unique<S3ArchiveSink>(
        [location] {
          return std::make_unique<S3Client>(location, AwsCredentials{"S3RVER", "S3RVER", ""}, milliseconds(5000));
        },
        options);
  }

  // Polls until `batches` more are confirmed or a failure is reported; returns the failure, if
  // any, and adds what was confirmed to `confirmed`.
  HandlerResult PollFor(S3ArchiveSink& sink, size_t batches, bool flush, size_t* confirmed) {
    const size_t target = *confirmed + batches;
    const auto give_up = Clock::now() + std::chrono::seconds(20);
    while (*confirmed < target && Clock::now() < give_up) {
      const Confirmations report = sink.Poll(milliseconds(50), flush);
      *confirmed += report.batches;
      EXPECT_LE(*confirmed, target) << "confirmed more than was sent";
      if (report.failure.kind != HandlerResult::Kind::kSuccess) return report.failure;
    }
    EXPECT_EQ(*confirmed, target) << "not confirmed within 20 s";
    return HandlerResult::Success();
  }

  // The id ranges of the stored change objects, in listing order.
  std::vector<std::pair<int64_t, int64_t>> Objects() {
    std::vector<std::pair<int64_t, int64_t>> ranges;
    for (const std::string& key : server_.Keys(std::string(kPrefix) + "/changes/")) {
      const auto range = ParseChangesObjectName(key.substr(sizeof(kPrefix)));
      EXPECT_TRUE(range) << key;
      if (range) ranges.push_back(*range);
    }
    return ranges;
  }

  // The ids an object holds, read back from the server.
  std::vector<int64_t> IdsIn(std::pair<int64_t, int64_t> range) {
    const auto text = Gunzip(server_.Object(std::string(kPrefix) + "/" + ChangesObjectName(range.first, range.second)));
    Changes events;
    EXPECT_TRUE(text && ParseEventLines(*text, &events));
    std::vector<int64_t> ids;
    for (const Change& change : events) ids.push_back(change.id);
    return ids;
  }

  bool Stored(std::pair<int64_t, int64_t> range) {
    for (const auto& object : Objects()) {
      if (object == range) return true;
    }
    return false;
  }

  // What a restore reads back from the archive: every change, in the order it would apply them.
  Changes ReadBack() {
    S3ArchiveReader reader(
        std::make_unique<S3Client>(Location(), AwsCredentials{"S3RVER", "S3RVER", ""}, milliseconds(5000)),
        RestorePoint{});
    WatchedSchema schema;
    const Status planned = reader.Schema(&schema);
    EXPECT_TRUE(planned.ok()) << planned.message();
    Changes all, batch;
    for (;;) {
      const Status status = reader.Next(&batch);
      EXPECT_TRUE(status.ok()) << status.message();
      if (!status.ok() || batch.empty()) return all;
      all.insert(all.end(), batch.begin(), batch.end());
    }
  }

  static WatchedSchema Schema(int64_t log_position) {
    WatchedSchema schema;
    schema.log_position = log_position;
    schema.tables.push_back({"items", "CREATE TABLE items (id INTEGER PRIMARY KEY, n)", {"id", "n"}, {"id"}, false});
    return schema;
  }

  testing::S3TestServer server_;
};

TEST_F(S3PipelineTest, BatchesSentAheadBecomeObjectsCutBySizeCoveringContiguousRanges) {
  S3SinkOptions options;
  options.flush_interval = std::chrono::minutes(1);
  options.max_object_changes = 100;
  auto sink = Sink(options);
  for (const Changes& batch : Batches(1, 350, 10)) ASSERT_EQ(sink->Send(batch).kind, HandlerResult::Kind::kSuccess);

  size_t confirmed = 0;
  ASSERT_EQ(PollFor(*sink, 30, /*flush=*/false, &confirmed).kind, HandlerResult::Kind::kSuccess);
  // The open object (batches 31-35) waits for its interval or a flush.
  EXPECT_EQ(sink->Poll(milliseconds(300), false).batches, 0u);
  EXPECT_EQ(Objects(), (std::vector<std::pair<int64_t, int64_t>>{{1, 100}, {101, 200}, {201, 300}}));

  ASSERT_EQ(PollFor(*sink, 5, /*flush=*/true, &confirmed).kind, HandlerResult::Kind::kSuccess);
  const auto objects = Objects();
  ASSERT_EQ(objects, (std::vector<std::pair<int64_t, int64_t>>{{1, 100}, {101, 200}, {201, 300}, {301, 350}}));
  for (const auto& range : objects) {
    std::vector<int64_t> expected;
    for (int64_t id = range.first; id <= range.second; ++id) expected.push_back(id);
    EXPECT_EQ(IdsIn(range), expected);
  }
  EXPECT_EQ(sink->objects_stored(), 4);
}

TEST_F(S3PipelineTest, AnObjectIsCutByBytesBeforeItPassesTheBound) {
  const size_t batch_bytes = EventLines(Batches(1, 10, 10)[0]).size();
  S3SinkOptions options;
  options.flush_interval = std::chrono::minutes(1);
  options.max_object_bytes = batch_bytes * 3 + batch_bytes / 2;  // three batches fit, a fourth does not
  auto sink = Sink(options);
  for (const Changes& batch : Batches(1, 100, 10)) ASSERT_EQ(sink->Send(batch).kind, HandlerResult::Kind::kSuccess);
  size_t confirmed = 0;
  ASSERT_EQ(PollFor(*sink, 10, /*flush=*/true, &confirmed).kind, HandlerResult::Kind::kSuccess);
  EXPECT_EQ(Objects(), (std::vector<std::pair<int64_t, int64_t>>{{1, 30}, {31, 60}, {61, 90}, {91, 100}}));
}

TEST_F(S3PipelineTest, AnObjectIsCutWhenItsIntervalHasPassedSinceItsFirstBatch) {
  S3SinkOptions options;
  options.flush_interval = milliseconds(400);
  auto sink = Sink(options);
  const auto sent = Clock::now();
  for (const Changes& batch : Batches(1, 30, 10)) ASSERT_EQ(sink->Send(batch).kind, HandlerResult::Kind::kSuccess);
  size_t confirmed = 0;
  ASSERT_EQ(PollFor(*sink, 3, /*flush=*/false, &confirmed).kind, HandlerResult::Kind::kSuccess);
  EXPECT_GE(Clock::now() - sent, milliseconds(400)) << "held back for its interval";
  EXPECT_EQ(Objects(), (std::vector<std::pair<int64_t, int64_t>>{{1, 30}}));

  for (const Changes& batch : Batches(31, 50, 10)) ASSERT_EQ(sink->Send(batch).kind, HandlerResult::Kind::kSuccess);
  ASSERT_EQ(PollFor(*sink, 2, /*flush=*/false, &confirmed).kind, HandlerResult::Kind::kSuccess);
  EXPECT_EQ(Objects(), (std::vector<std::pair<int64_t, int64_t>>{{1, 30}, {31, 50}}));
}

TEST_F(S3PipelineTest, AnObjectNeverSpansASchemaChange) {
  S3SinkOptions options;
  options.flush_interval = std::chrono::minutes(1);
  auto sink = Sink(options);
  ASSERT_EQ(sink->OnSchema(Schema(0)).kind, HandlerResult::Kind::kSuccess);
  const auto batches = Batches(1, 40, 10);
  ASSERT_EQ(sink->Send(batches[0]).kind, HandlerResult::Kind::kSuccess);
  ASSERT_EQ(sink->Send(batches[1]).kind, HandlerResult::Kind::kSuccess);
  ASSERT_EQ(sink->OnSchema(Schema(20)).kind, HandlerResult::Kind::kSuccess);
  ASSERT_EQ(sink->Send(batches[2]).kind, HandlerResult::Kind::kSuccess);
  ASSERT_EQ(sink->Send(batches[3]).kind, HandlerResult::Kind::kSuccess);
  size_t confirmed = 0;
  ASSERT_EQ(PollFor(*sink, 4, /*flush=*/true, &confirmed).kind, HandlerResult::Kind::kSuccess);
  EXPECT_EQ(Objects(), (std::vector<std::pair<int64_t, int64_t>>{{1, 20}, {21, 40}}));
  EXPECT_EQ(server_.Keys(std::string(kPrefix) + "/schema/").size(), 2u);
}

TEST_F(S3PipelineTest, BatchesAreConfirmedOnlyOnceTheirObjectAndEveryEarlierOneAreStored) {
  S3SinkOptions options;
  options.max_object_changes = 10;  // an object per batch, several PUTs at once
  options.puts_in_flight = 4;
  auto sink = Sink(options);
  const auto batches = Batches(1, 400, 10);
  for (const Changes& batch : batches) ASSERT_EQ(sink->Send(batch).kind, HandlerResult::Kind::kSuccess);
  size_t confirmed = 0;
  int reports = 0;
  while (confirmed < batches.size() && reports < 2000) {
    const Confirmations report = sink->Poll(milliseconds(50), false);
    ASSERT_EQ(report.failure.kind, HandlerResult::Kind::kSuccess) << report.failure.message;
    ++reports;
    if (report.batches == 0) continue;
    confirmed += report.batches;
    ASSERT_LE(confirmed, batches.size());
    // Every object up to the last confirmed batch is in the store.
    const auto objects = Objects();
    ASSERT_GE(objects.size(), confirmed);
    for (size_t i = 0; i < confirmed; ++i) {
      EXPECT_EQ(objects[i], std::make_pair(batches[i].front().id, batches[i].back().id));
    }
  }
  EXPECT_EQ(confirmed, batches.size());
}

TEST_F(S3PipelineTest, A503MidWindowIsRetryForgetsTheUnconfirmedAndResendingRestoresEverything) {
  S3SinkOptions options;
  options.max_object_changes = 10;
  options.puts_in_flight = 4;
  auto sink = Sink(options);
  ASSERT_EQ(sink->OnSchema(Schema(0)).kind, HandlerResult::Kind::kSuccess);
  const auto first = Batches(1, 20, 10);
  for (const Changes& batch : first) ASSERT_EQ(sink->Send(batch).kind, HandlerResult::Kind::kSuccess);
  size_t confirmed = 0;
  ASSERT_EQ(PollFor(*sink, 2, /*flush=*/false, &confirmed).kind, HandlerResult::Kind::kSuccess);

  // A window of six objects; the first request to reach the server gets 503 SlowDown.
  server_.FailNext(1);
  const auto window = Batches(21, 80, 10);
  for (const Changes& batch : window) ASSERT_EQ(sink->Send(batch).kind, HandlerResult::Kind::kSuccess);
  const HandlerResult failure = PollFor(*sink, window.size(), /*flush=*/false, &confirmed);
  ASSERT_EQ(failure.kind, HandlerResult::Kind::kRetry) << failure.message;
  EXPECT_NE(failure.message.find("SlowDown"), std::string::npos) << failure.message;
  EXPECT_EQ(failure.message.find("S3RVER"), std::string::npos) << "no credential in errors";
  const size_t first_unconfirmed = confirmed - first.size();
  ASSERT_LT(first_unconfirmed, window.size());
  EXPECT_FALSE(Stored({window[first_unconfirmed].front().id, window[first_unconfirmed].back().id}))
      << "the first unconfirmed batch's object is the one that failed";
  // Forgotten: nothing more is confirmed or failed, whatever else was stored meanwhile.
  const Confirmations after = sink->Poll(milliseconds(300), true);
  EXPECT_EQ(after.batches, 0u);
  EXPECT_EQ(after.failure.kind, HandlerResult::Kind::kSuccess);

  // The engine sends again from the first unconfirmed change, here re-cut into batches of 15, so
  // that new objects overlap ones stored before the failure was reported.
  const int64_t resend_from = window[first_unconfirmed].front().id;
  const auto resent = Batches(resend_from, 80, 15);
  for (const Changes& batch : resent) ASSERT_EQ(sink->Send(batch).kind, HandlerResult::Kind::kSuccess);
  size_t reconfirmed = 0;
  ASSERT_EQ(PollFor(*sink, resent.size(), /*flush=*/true, &reconfirmed).kind, HandlerResult::Kind::kSuccess);

  const Changes restored = ReadBack();
  ASSERT_EQ(restored.size(), 80u);
  for (size_t i = 0; i < restored.size(); ++i) {
    const Change expected = Event(static_cast<int64_t>(i) + 1);
    EXPECT_EQ(restored[i].id, expected.id);
    EXPECT_EQ(restored[i].after, expected.after);
  }
}

TEST_F(S3PipelineTest, AMissingBucketIsFatal) {
  auto sink = Sink(S3SinkOptions{}, "no-such-bucket");
  for (const Changes& batch : Batches(1, 30, 10)) ASSERT_EQ(sink->Send(batch).kind, HandlerResult::Kind::kSuccess);
  size_t confirmed = 0;
  const HandlerResult failure = PollFor(*sink, 3, /*flush=*/true, &confirmed);
  EXPECT_EQ(failure.kind, HandlerResult::Kind::kFatal) << failure.message;
  EXPECT_NE(failure.message.find("NoSuchBucket"), std::string::npos) << failure.message;
  EXPECT_EQ(confirmed, 0u);
}

TEST_F(S3PipelineTest, HandleStoresOneBatchAtATimeAndBootstrapPartsOnlyWithNothingInFlight) {
  S3SinkOptions options;
  options.flush_interval = std::chrono::minutes(1);
  auto sink = Sink(options);
  ASSERT_EQ(sink->Handle(Batches(1, 10, 10)[0]).kind, HandlerResult::Kind::kSuccess);
  EXPECT_EQ(Objects(), (std::vector<std::pair<int64_t, int64_t>>{{1, 10}})) << "stored before Handle returned";

  Changes part = Batches(1, 5, 5)[0];
  for (Change& change : part) change.bootstrap = true;
  ASSERT_EQ(sink->Handle(part).kind, HandlerResult::Kind::kSuccess);
  ASSERT_EQ(sink->Send(Batches(11, 20, 10)[0]).kind, HandlerResult::Kind::kSuccess);
  EXPECT_EQ(sink->Handle(part).kind, HandlerResult::Kind::kFatal) << "a part beside changes in flight";
  size_t confirmed = 0;
  ASSERT_EQ(PollFor(*sink, 1, /*flush=*/true, &confirmed).kind, HandlerResult::Kind::kSuccess);
  ASSERT_EQ(sink->OnSnapshotComplete(0).kind, HandlerResult::Kind::kSuccess);
  const auto snapshot = server_.Keys(std::string(kPrefix) + "/snapshots/");
  ASSERT_EQ(snapshot.size(), 2u) << "one part, stored once, and its manifest";
  EXPECT_NE(snapshot[0].find("/complete.json"), std::string::npos) << snapshot[0];
  EXPECT_NE(snapshot[1].find("/part-000001.ndjson.gz"), std::string::npos) << snapshot[1];
}

}  // namespace
}  // namespace sqlite_cdc::sinks
