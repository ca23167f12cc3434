// The pure pieces of the HTTP output: URL, Retry-After, signatures, status classification, config.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "sinks/http/http_sink.h"
#include "sinks/http/http_sink_config.h"
#include "sinks/http/retry_after.h"
#include "sinks/http/webhook_signature.h"
#include "sinks/net/crypto.h"
#include "sinks/net/http_url.h"
#include "support/temp_dir.h"

namespace sqlite_cdc::sinks {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

HttpUrl Parsed(const std::string& text) {
  HttpUrl url;
  const Status status = ParseHttpUrl(text, &url);
  EXPECT_TRUE(status.ok()) << status.message();
  return url;
}

TEST(HttpUrlTest, ReadsSchemeHostPortAndTarget) {
  const HttpUrl url = Parsed("https://hooks.example.com:8443/in/cdc?source=app");
  EXPECT_TRUE(url.endpoint.tls);
  EXPECT_EQ(url.endpoint.host, "hooks.example.com");
  EXPECT_EQ(url.endpoint.port, "8443");
  EXPECT_EQ(url.target, "/in/cdc?source=app");
  EXPECT_EQ(url.endpoint.HostHeader(), "hooks.example.com:8443");
}

TEST(HttpUrlTest, DefaultsPortAndPathFromTheScheme) {
  EXPECT_EQ(Parsed("http://example.com").endpoint.port, "80");
  EXPECT_EQ(Parsed("http://example.com").target, "/");
  EXPECT_EQ(Parsed("https://example.com").endpoint.port, "443");
  EXPECT_EQ(Parsed("https://example.com").endpoint.HostHeader(), "example.com");
  EXPECT_EQ(Parsed("http://example.com?x=1").target, "/?x=1");
}

TEST(HttpUrlTest, TakesBracketedIpv6Hosts) {
  const HttpUrl url = Parsed("http://[::1]:9000/hook");
  EXPECT_EQ(url.endpoint.host, "::1");
  EXPECT_EQ(url.endpoint.HostHeader(), "[::1]:9000");
  EXPECT_EQ(url.endpoint.Origin(), "http://[::1]:9000");
}

TEST(HttpUrlTest, RefusesWhatItCannotSendSafely) {
  for (const std::string bad :
       {"ftp://x/", "http://", "http://:80/", "http://host:0/", "http://host:65536/", "http://host:/",
        "http://host:8o/", "http://user:pw@host/", "http://host/#frag", "http://[::1/", "http://host/a b"}) {
    HttpUrl url;
    const Status status = ParseHttpUrl(bad, &url);
    EXPECT_EQ(status.code(), Status::Code::kInvalidArgument) << bad;
  }
  HttpUrl url;
  const Status status = ParseHttpUrl("http://user:hunter2@host/", &url);
  EXPECT_NE(status.message().find("header"), std::string::npos) << status.message();
}

TEST(RetryAfterTest, ReadsSecondsAndHttpDates) {
  const auto now = std::chrono::system_clock::from_time_t(1'800'000'000);  // 2027-01-15T08:00:00Z
  EXPECT_EQ(ParseRetryAfter("120", now), milliseconds(120'000));
  EXPECT_EQ(ParseRetryAfter(" 0 ", now), milliseconds(0));
  EXPECT_EQ(ParseRetryAfter("Fri, 15 Jan 2027 08:00:30 GMT", now), milliseconds(30'000));
  EXPECT_EQ(ParseRetryAfter("Fri, 15 Jan 2027 07:00:00 GMT", now), milliseconds(0)) << "a date in the past";
  EXPECT_FALSE(ParseRetryAfter("", now));
  EXPECT_FALSE(ParseRetryAfter("soon", now));
  EXPECT_FALSE(ParseRetryAfter("-5", now));
}

TEST(CryptoTest, MatchesPublishedVectors) {
  // FIPS 180-2 "abc" and RFC 4231 test case 2.
  EXPECT_EQ(LowerHex(Sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(LowerHex(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // RFC 4648 section 10.
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Decode("Zm9vYg=="), "foob");
  EXPECT_EQ(Base64Decode("Zm8="), "fo");
  EXPECT_FALSE(Base64Decode("Zm9"));
  EXPECT_FALSE(Base64Decode("Zm9*"));
}

TEST(WebhookSignatureTest, IdDependsOnlyOnTheBody) {
  EXPECT_EQ(WebhookId("{\"changes\":[1]}"), WebhookId("{\"changes\":[1]}"));
  EXPECT_NE(WebhookId("{\"changes\":[1]}"), WebhookId("{\"changes\":[2]}"));
  EXPECT_EQ(WebhookId("x").rfind("msg_", 0), 0u);
  EXPECT_EQ(WebhookId("x").size(), 4u + 32u);
}

TEST(WebhookSignatureTest, SignsIdTimestampAndBodyWithTheDecodedSecret) {
  const auto key = WebhookSigningKey("whsec_" + Base64Encode("0123456789abcdef"));
  ASSERT_TRUE(key);
  EXPECT_EQ(*key, "0123456789abcdef");
  EXPECT_EQ(WebhookSigningKey("plain secret"), "plain secret");
  EXPECT_FALSE(WebhookSigningKey("whsec_not base64!"));
  EXPECT_EQ(WebhookSignature(*key, "msg_1", "1700000000", "{}"),
            "v1," + Base64Encode(HmacSha256("0123456789abcdef", "msg_1.1700000000.{}")));
}

TEST(ClassifyResponseTest, TwoHundredsSucceedAndOnlyTransientFailuresAreRetried) {
  const auto now = std::chrono::system_clock::now();
  HttpResponse response;
  for (int status : {200, 201, 202, 204, 299}) {
    response.status = status;
    EXPECT_EQ(ClassifyResponse(response, "POST x", now).kind, HandlerResult::Kind::kSuccess) << status;
  }
  for (int status : {408, 429, 500, 502, 503, 504}) {
    response.status = status;
    EXPECT_EQ(ClassifyResponse(response, "POST x", now).kind, HandlerResult::Kind::kRetry) << status;
  }
  for (int status : {301, 400, 401, 403, 404, 409, 413, 422}) {
    response.status = status;
    EXPECT_EQ(ClassifyResponse(response, "POST x", now).kind, HandlerResult::Kind::kFatal) << status;
  }
}

TEST(ClassifyResponseTest, CarriesRetryAfterAndAnExcerptOfTheBody) {
  HttpResponse response;
  response.status = 429;
  response.headers = {{"retry-after", "7"}};
  const HandlerResult retry = ClassifyResponse(response, "POST http://h:1/in", std::chrono::system_clock::now());
  EXPECT_EQ(retry.retry_after, milliseconds(7000));

  response.status = 400;
  response.body = "missing field \"table\"\n" + std::string(1000, 'x');
  const HandlerResult fatal = ClassifyResponse(response, "POST http://h:1/in", std::chrono::system_clock::now());
  EXPECT_NE(fatal.message.find("HTTP 400 from POST http://h:1/in: missing field \"table\" x"), std::string::npos)
      << fatal.message;
  EXPECT_LT(fatal.message.size(), 300u);
  EXPECT_EQ(fatal.message.find('\n'), std::string::npos);
}

class HttpSinkConfigTest : public ::testing::Test {
 protected:
  Status Resolve(const HttpSinkOptions& options, const std::string& url = "http://127.0.0.1:9/in") {
    return ResolveHttpSinkConfig(url, options, &config_);
  }
  std::string WriteFile(const std::string& name, const std::string& text) {
    std::ofstream(dir_.File(name)) << text;
    return dir_.File(name);
  }

  testing::TempDir dir_;
  HttpSinkConfig config_;
};

TEST_F(HttpSinkConfigTest, ReadsHeadersFromFlagsAndFile) {
  HttpSinkOptions options;
  options.headers = {"X-Source: app-1"};
  options.headers_file = WriteFile("headers", "# secrets\nAuthorization: Bearer s3cr3t\n\n");
  ASSERT_TRUE(Resolve(options).ok());
  const HttpHeaders expected = {{"X-Source", "app-1"}, {"Authorization", "Bearer s3cr3t"}};
  EXPECT_EQ(config_.headers, expected);
  EXPECT_FALSE(config_.signing_key);
}

TEST_F(HttpSinkConfigTest, BadHeadersAreNamedWithoutTheirValue) {
  HttpSinkOptions options;
  options.headers = {"Authorization Bearer s3cr3t"};
  Status status = Resolve(options);
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(status.message().find("s3cr3t"), std::string::npos) << status.message();
  options.headers = {"Content-Type: text/plain"};
  EXPECT_EQ(Resolve(options).code(), Status::Code::kInvalidArgument);
  options.headers = {"webhook-id: mine"};
  EXPECT_EQ(Resolve(options).code(), Status::Code::kInvalidArgument);
}

TEST_F(HttpSinkConfigTest, ReadsTheSecretFromAnEnvironmentVariableOrAFile) {
  HttpSinkOptions options;
  options.secret_env = "SQLITE_CDC_CONFIG_TEST_SECRET";
  unsetenv(options.secret_env.c_str());
  Status status = Resolve(options);
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(status.message().find("SQLITE_CDC_CONFIG_TEST_SECRET"), std::string::npos);

  setenv(options.secret_env.c_str(), "whsec_c2VjcmV0", 1);
  ASSERT_TRUE(Resolve(options).ok());
  EXPECT_EQ(config_.signing_key, "secret");
  unsetenv(options.secret_env.c_str());

  options.secret_env.clear();
  options.secret_file = WriteFile("secret", "  whsec_c2VjcmV0\n");
  ASSERT_TRUE(Resolve(options).ok());
  EXPECT_EQ(config_.signing_key, "secret");
  options.secret_file = dir_.File("missing");
  EXPECT_EQ(Resolve(options).code(), Status::Code::kInvalidArgument);
}

TEST_F(HttpSinkConfigTest, TlsOptionsNeedHttpsAndAReadableCaFile) {
  HttpSinkOptions options;
  options.insecure_skip_verify = true;
  EXPECT_EQ(Resolve(options).code(), Status::Code::kInvalidArgument);
  ASSERT_TRUE(Resolve(options, "https://localhost/in").ok());
  EXPECT_FALSE(config_.tls.verify);
  options.insecure_skip_verify = false;
  options.ca_file = dir_.File("no-such-ca.pem");
  EXPECT_EQ(Resolve(options, "https://localhost/in").code(), Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace sqlite_cdc::sinks
