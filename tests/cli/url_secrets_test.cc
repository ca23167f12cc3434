// URLs with credentials in failing configurations, as a user would run them: whatever fails, the
// user info and query values never reach stdout or stderr.
#include <gtest/gtest.h>

#include <algorithm>

#include "sinks/net/url_redaction.h"
#include "support/app_db.h"
#include "support/captured_db.h"
#include "support/process.h"

namespace sqlite_cdc {
namespace {

using testing::BinaryPath;
using testing::RunProcess;

// Every secret below holds one of these; none may be printed.
const std::vector<std::string> kSecrets = {"u5erName", "pa55word", "t0kenValue", "fr4gment"};

class UrlSecretsTest : public testing::CapturedDbTest {
 protected:
  UrlSecretsTest() : CapturedDbTest("CREATE TABLE items (id INTEGER PRIMARY KEY, note TEXT)") {
    SetUpCapture();
    testing::AppDb(path_).Exec("INSERT INTO items (note) VALUES ('x')");
  }

  // Runs `program args`, expects `exit_code` and one line on stderr, and no secret anywhere.
  void ExpectNoSecret(const std::string& program, const std::vector<std::string>& args, int exit_code) {
    const auto result = RunProcess(BinaryPath(program), args);
    EXPECT_EQ(result.exit_code, exit_code) << result.err;
    EXPECT_FALSE(result.err.empty());
    for (const std::string& secret : kSecrets) {
      EXPECT_EQ(result.err.find(secret), std::string::npos) << "stderr shows " << secret << ": " << result.err;
      EXPECT_EQ(result.out.find(secret), std::string::npos) << "stdout shows " << secret << ": " << result.out;
    }
  }

  void ExpectOutputRefused(const std::string& output, int exit_code = 2) {
    SCOPED_TRACE(output);
    ExpectNoSecret("sqlite-cdc", {"--db", path_, "--drain", "--output", output, "--retry-attempts", "1"}, exit_code);
  }
};

TEST_F(UrlSecretsTest, HttpOutputsNeverShowCredentialsQueryOrFragment) {
  ExpectOutputRefused("http://u5erName:pa55word@127.0.0.1:9/in?token=t0kenValue");
  ExpectOutputRefused("https://u5erName:pa55word@example.com/in");
  ExpectOutputRefused("http://127.0.0.1:99999/in?token=t0kenValue");  // malformed port
  ExpectOutputRefused("http://127.0.0.1:9/in?t0kenValue#fr4gment");
  ExpectOutputRefused("http://u5erName:pa55/word@[::1/in?a=t0kenValue");  // malformed host, '/' in the password
  ExpectOutputRefused("http:///in?token=t0kenValue");                     // no host
  // Reachable syntax, nothing listening: retried, then given up with exit 1.
  ExpectOutputRefused("http://127.0.0.1:9/in?token=t0kenValue&sig=pa55word", 1);
}

TEST_F(UrlSecretsTest, MisspelledSchemesNeverShowCredentialsOrQuery) {
  ExpectOutputRefused("htp://u5erName:pa55word@127.0.0.1:9/in?token=t0kenValue");
  ExpectOutputRefused("http//u5erName:pa55word@127.0.0.1:9/in?token=t0kenValue");
  ExpectOutputRefused("kafka:/u5erName:pa55word@127.0.0.1:9092/t?sasl.password=t0kenValue");
}

TEST_F(UrlSecretsTest, KafkaOutputsNeverShowCredentialsOrQuery) {
  ExpectOutputRefused("kafka://u5erName:pa55word@127.0.0.1:9092/topic");
  ExpectOutputRefused("kafka://127.0.0.1:9092/topic?sasl.password=t0kenValue");
  ExpectOutputRefused("kafka://127.0.0.1:notaport/topic?sasl.password=t0kenValue");
  ExpectOutputRefused("kafka://127.0.0.1:9092/topic#fr4gment");
}

TEST_F(UrlSecretsTest, S3OutputsAndRestoreNeverShowCredentialsOrQuery) {
  ExpectOutputRefused("s3://bucket/p?endpoint=http://u5erName:pa55word@127.0.0.1:9&region=x");
  ExpectOutputRefused("s3://bucket/p?token=t0kenValue");
  ExpectOutputRefused("s3://B/p?region=t0kenValue");  // bad bucket
  ExpectOutputRefused("s3://bucket/p?endpoint=http://127.0.0.1:9/path?x=t0kenValue");
  ExpectNoSecret("sqlite-cdc-restore",
                 {"--from", "s3://bucket/p?endpoint=http://u5erName:pa55word@127.0.0.1:9", "--to", dir_.File("r.db")},
                 2);
  ExpectNoSecret("sqlite-cdc-restore", {"--from", "s3://bucket/p?token=t0kenValue", "--to", dir_.File("r.db")}, 2);
}

TEST_F(UrlSecretsTest, ACommandLineParserErrorNeverShowsAUrlsSecrets) {
  // A stray argument, which the flag parser quotes back.
  ExpectNoSecret("sqlite-cdc", {"--db", path_, "--output", "json", "http://u5erName:pa55word@h/?token=t0kenValue"}, 2);
}

TEST(RedactUrlTest, HidesUserInfoQueryValuesAndFragmentOnly) {
  using sinks::RedactUrl;
  EXPECT_EQ(RedactUrl("http://user:pw@host:8080/path?token=abc&x=1#frag"),
            "http://***@host:8080/path?token=***&x=***#***");
  EXPECT_EQ(RedactUrl("kafka://b1:9092,b2:9092/cdc.{table}"), "kafka://b1:9092,b2:9092/cdc.{table}");
  EXPECT_EQ(RedactUrl("s3://bucket/prefix?endpoint=http://u:p@h:9000&region=r"), "s3://***");
  EXPECT_EQ(RedactUrl("s3://bucket/prefix?endpoint=http://h:9000&region=r"),
            "s3://bucket/prefix?endpoint=***&region=***");
  EXPECT_EQ(RedactUrl("http://h/in?justatoken"), "http://h/in?***");
  EXPECT_EQ(RedactUrl("u:p@host/x"), "***@host/x");
  // An '@' past the path: all but the scheme hidden.
  EXPECT_EQ(RedactUrl("http://u:p?w#d@host/"), "http://***");
  EXPECT_EQ(RedactUrl("http://u:p?a=b@host/x?token=abc"), "http://***");
  EXPECT_EQ(RedactUrl("http://h/in?email=a@b.c"), "http://***");
  EXPECT_EQ(RedactUrl("kafka:/u:p@host:9092/t"), "***@host:9092/t");
  const std::string redacted = RedactUrl("http://user:pw@host/path?token=abc#frag");
  EXPECT_EQ(RedactUrl(redacted), redacted);
  EXPECT_EQ(sinks::RedactUrls("bad 'http://u:p@h/?t=1' and https://h/x?y=2 end"),
            "bad 'http://***@h/?t=***' and https://h/x?y=*** end");
}

}  // namespace
}  // namespace sqlite_cdc
