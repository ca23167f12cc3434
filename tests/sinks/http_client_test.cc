// The keep-alive HTTP client against a real server on loopback, plain and TLS.
#include "sinks/net/http_client.h"

#include <gtest/gtest.h>

#include "support/http_test_server.h"
#include "support/temp_dir.h"

namespace sqlite_cdc::sinks {
namespace {

using std::chrono::milliseconds;
using testing::HttpTestServer;
using testing::Reply;

HttpEndpoint EndpointOf(const std::string& url_text) {
  HttpUrl url;
  EXPECT_TRUE(ParseHttpUrl(url_text, &url).ok());
  return url.endpoint;
}

HttpRequest Post(const std::string& body) {
  HttpRequest request;
  request.target = "/in";
  request.headers = {{"Content-Type", "application/json"}};
  request.body = body;
  return request;
}

int StatusOf(const HttpResult& result) {
  if (const auto* error = std::get_if<HttpError>(&result)) {
    ADD_FAILURE() << error->message;
    return 0;
  }
  return std::get<HttpResponse>(result).status;
}

TEST(HttpClientTest, ManyRequestsShareOneConnection) {
  HttpTestServer server;
  HttpClient client(EndpointOf(server.Url("/")), milliseconds(2000), {});
  for (int i = 0; i < 20; ++i) EXPECT_EQ(StatusOf(client.Send(Post("{\"n\":" + std::to_string(i) + "}"))), 200);
  EXPECT_EQ(client.connections_opened(), 1);
  EXPECT_EQ(server.connections(), 1);
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 20u);
  EXPECT_EQ(requests[7].body, "{\"n\":7}");
  EXPECT_EQ(requests[7].headers.at("content-type"), "application/json");
  EXPECT_EQ(requests[7].headers.at("host"), "127.0.0.1:" + std::to_string(server.port()));
}

TEST(HttpClientTest, AConnectionTheServerClosedWhileIdleIsReopenedTransparently) {
  HttpTestServer server([](const testing::ReceivedRequest&, size_t) {
    Reply reply = Reply::Status(204);
    reply.close_after = true;  // without a Connection: close header
    return reply;
  });
  HttpClient client(EndpointOf(server.Url("/")), milliseconds(2000), {});
  for (int i = 0; i < 5; ++i) EXPECT_EQ(StatusOf(client.Send(Post("{}"))), 204);
  EXPECT_EQ(server.requests().size(), 5u) << "each request reached the server once";
  EXPECT_EQ(client.connections_opened(), 5);
}

TEST(HttpClientTest, FailuresAreNetworkOrTimeoutErrorsNamingTheEndpoint) {
  HttpTestServer server([](const testing::ReceivedRequest&, size_t index) {
    if (index == 0) return Reply::Failure(Reply::Kind::kStall, milliseconds(3000));
    if (index == 1) return Reply::Failure(Reply::Kind::kCloseMidResponse);
    return Reply::Status(200);
  });
  HttpClient client(EndpointOf(server.Url("/")), milliseconds(200), {});
  const auto start = std::chrono::steady_clock::now();
  HttpResult stalled = client.Send(Post("{}"));
  ASSERT_TRUE(std::holds_alternative<HttpError>(stalled));
  EXPECT_EQ(std::get<HttpError>(stalled).kind, HttpError::Kind::kTimeout);
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(2500)) << "the timeout bounds the wait";
  EXPECT_NE(std::get<HttpError>(stalled).message.find("127.0.0.1:" + std::to_string(server.port())), std::string::npos)
      << std::get<HttpError>(stalled).message;

  HttpResult cut = client.Send(Post("{}"));
  ASSERT_TRUE(std::holds_alternative<HttpError>(cut));
  EXPECT_EQ(std::get<HttpError>(cut).kind, HttpError::Kind::kNetwork);
  EXPECT_EQ(StatusOf(client.Send(Post("{}"))), 200) << "the client recovers on a new connection";
}

TEST(HttpClientTest, ARefusedConnectionIsANetworkError) {
  uint16_t port = 0;
  { port = HttpTestServer().port(); }  // a port nobody listens on any more
  HttpClient client(EndpointOf("http://127.0.0.1:" + std::to_string(port)), milliseconds(2000), {});
  HttpResult result = client.Send(Post("{}"));
  ASSERT_TRUE(std::holds_alternative<HttpError>(result));
  EXPECT_EQ(std::get<HttpError>(result).kind, HttpError::Kind::kNetwork);
  EXPECT_NE(std::get<HttpError>(result).message.find("connect"), std::string::npos);
}

class HttpsClientTest : public ::testing::Test {
 protected:
  HttpsClientTest() : pki_(testing::MakeTestPki(dir_.path().string(), "localhost")), server_({}, pki_.server) {}

  HttpResult SendTo(const std::string& host, TlsOptions tls) {
    HttpClient client(EndpointOf(server_.Url("/", host)), milliseconds(5000), tls);
    return client.Send(Post("{}"));
  }

  testing::TempDir dir_;
  testing::TestPki pki_;
  HttpTestServer server_;
};

TEST_F(HttpsClientTest, VerifiesTheServerAgainstTheGivenCa) {
  EXPECT_EQ(StatusOf(SendTo("localhost", {pki_.ca_file, true})), 200);
  ASSERT_EQ(server_.requests().size(), 1u);
}

TEST_F(HttpsClientTest, RefusesAWrongHostName) {
  HttpResult result = SendTo("127.0.0.1", {pki_.ca_file, true});
  ASSERT_TRUE(std::holds_alternative<HttpError>(result));
  EXPECT_EQ(std::get<HttpError>(result).kind, HttpError::Kind::kCertificate);
  EXPECT_NE(std::get<HttpError>(result).message.find("certificate refused"), std::string::npos)
      << std::get<HttpError>(result).message;
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(HttpsClientTest, RefusesACaItDoesNotTrust) {
  HttpResult result = SendTo("localhost", {});  // the system's CAs do not include the test CA
  ASSERT_TRUE(std::holds_alternative<HttpError>(result));
  EXPECT_EQ(std::get<HttpError>(result).kind, HttpError::Kind::kCertificate);
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(HttpsClientTest, SkippingVerificationAcceptsAnyCertificate) {
  EXPECT_EQ(StatusOf(SendTo("127.0.0.1", {"", false})), 200);
}

}  // namespace
}  // namespace sqlite_cdc::sinks
