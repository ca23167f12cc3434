// S3Client against a real HTTP server on loopback that answers as a test scripts it.
#include "sinks/s3/s3_client.h"

#include <gtest/gtest.h>

#include "sinks/s3/s3_location.h"
#include "support/http_test_server.h"

namespace sqlite_cdc::sinks {
namespace {

using std::chrono::milliseconds;

// A bucket whose listing never ends: every page says there is another.
std::string EndlessPage(size_t index) {
  const std::string n = std::to_string(index);
  return "<?xml version=\"1.0\"?><ListBucketResult><IsTruncated>true</IsTruncated>"
         "<NextContinuationToken>page-" +
         n + "</NextContinuationToken><Contents><Key>changes/" + n + "</Key><Size>1</Size></Contents>" +
         "</ListBucketResult>";
}

// A listing of a month's archive takes thousands of pages; a stopping engine asks it to end
// between two of them instead of waiting for the last.
TEST(S3ClientTest, AListingEndsBetweenPagesWhenAskedToStop) {
  testing::HttpTestServer server(
      [](const testing::ReceivedRequest&, size_t index) { return testing::Reply::Status(200, EndlessPage(index)); });
  S3Location location;
  ASSERT_TRUE(ParseS3Url("s3://bucket/p?endpoint=" + server.Url("") + "&force_path_style=true", &location).ok());
  S3Client client(location, AwsCredentials{"id", "secret", ""}, milliseconds(5000));
  std::vector<S3Object> objects;
  const S3Outcome outcome = client.List("p/", &objects, [&] { return server.requests().size() >= 3; });
  EXPECT_EQ(outcome.kind, S3Outcome::Kind::kRetry) << outcome.message;
  EXPECT_NE(outcome.message.find("stopped"), std::string::npos) << outcome.message;
  EXPECT_EQ(server.requests().size(), 3u) << "no page asked for after the stop";
}

}  // namespace
}  // namespace sqlite_cdc::sinks
