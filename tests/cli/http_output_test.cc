// sqlite-cdc --output http(s)://... as a user runs it: the real binary posting to a real receiver
// on loopback that fails on purpose. Each test checks what the receiver ended up with.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <map>

#include "support/app_db.h"
#include "support/captured_db.h"
#include "support/http_test_server.h"
#include "support/json_check.h"
#include "support/process.h"

namespace sqlite_cdc {
namespace {

using std::chrono::milliseconds;
using testing::BackgroundProcess;
using testing::HttpTestServer;
using testing::ReadFile;
using testing::ReceivedRequest;
using testing::Reply;
using testing::WaitUntil;

constexpr int kChanges = 60;  // inserts, updates and deletes from the test writer: log ids 1..60

bool Accepted(const ReceivedRequest& request) { return request.answered >= 200 && request.answered < 300; }

std::vector<long long> IdsIn(const ReceivedRequest& request) {
  std::vector<long long> ids;
  const auto body = nlohmann::json::parse(request.body);
  for (const auto& change : body.at("changes")) ids.push_back(change.at("id"));
  return ids;
}

// The log ids the receiver accepted, in the order it accepted them.
std::vector<long long> AcceptedIds(const HttpTestServer& server) {
  std::vector<long long> ids;
  for (const ReceivedRequest& request : server.requests()) {
    if (!Accepted(request)) continue;
    const auto batch = IdsIn(request);
    ids.insert(ids.end(), batch.begin(), batch.end());
  }
  return ids;
}

std::vector<long long> OneTo(long long n) {
  std::vector<long long> ids;
  for (long long id = 1; id <= n; ++id) ids.push_back(id);
  return ids;
}

class HttpOutputTest : public testing::CapturedDbTest {
 protected:
  HttpOutputTest() { SetUpCapture(); }

  void WriteChanges() {
    const auto writer = testing::RunProcess(testing::WriterPath(), {path_, "60"});
    ASSERT_EQ(writer.exit_code, 0) << writer.err;
  }

  std::unique_ptr<BackgroundProcess> StartCdc(const std::string& url, const std::vector<std::string>& extra = {}) {
    return StartCdcProcess({"--output", url, "--batch-size", "8", "--poll-interval", "100ms", "--retry-initial-backoff",
                            "10ms", "--retry-max-backoff", retry_max_backoff_},
                           extra);
  }

  // Waits until the receiver accepted every change, then stops sqlite-cdc as a user would.
  void DeliverAllAndStop(BackgroundProcess& cdc, const HttpTestServer& server) {
    EXPECT_TRUE(WaitUntil([&] { return AcceptedIds(server).size() >= kChanges; })) << ReadFile(err_);
    cdc.Signal(SIGTERM);
    EXPECT_EQ(cdc.Wait(), 0) << ReadFile(err_);
    EXPECT_EQ(Backlog(), 0);
  }

  std::string retry_max_backoff_ = "100ms";
};

// What every test asks of the receiver's record: each change accepted exactly once and in log
// order; a webhook-id sent twice only for a batch not accepted before, and always with the same body.
void ExpectExactlyOnceInOrderWithStableIds(const HttpTestServer& server) {
  EXPECT_EQ(AcceptedIds(server), OneTo(kChanges));
  std::map<std::string, const ReceivedRequest*> first_by_id;
  for (const ReceivedRequest& request : server.requests()) {
    const std::string id = request.headers.at("webhook-id");
    auto [it, fresh] = first_by_id.emplace(id, &request);
    if (fresh) continue;
    EXPECT_EQ(request.body, it->second->body) << "webhook-id " << id << " names one batch";
    EXPECT_FALSE(Accepted(*it->second)) << "batch " << id << " was sent again after it was accepted";
    it->second = &request;
  }
}

TEST_F(HttpOutputTest, PostsEveryChangeInLogOrderOverOneKeptAliveConnection) {
  WriteChanges();
  HttpTestServer server;
  auto cdc = StartCdc(server.Url("/hooks/cdc?source=test"));
  DeliverAllAndStop(*cdc, server);
  ExpectExactlyOnceInOrderWithStableIds(server);
  const auto requests = server.requests();
  EXPECT_EQ(requests.size(), 8u) << "60 changes in batches of 8";
  EXPECT_EQ(server.connections(), 1) << "keep-alive: one connection for every batch";
  const ReceivedRequest& first = requests.front();
  EXPECT_EQ(first.method, "POST");
  EXPECT_EQ(first.target, "/hooks/cdc?source=test");
  EXPECT_EQ(first.headers.at("content-type"), "application/json");
  EXPECT_EQ(first.headers.count("webhook-signature"), 0u) << "no secret, no signature";
  const long long sent_at = std::stoll(first.headers.at("webhook-timestamp"));
  EXPECT_NEAR(sent_at, std::time(nullptr), 60);
  const auto body = testing::StrictJson(first.body);
  ASSERT_EQ(body.size(), 1u);
  ASSERT_EQ(body["changes"].size(), 8u);
  const auto& update = body["changes"][1];
  EXPECT_EQ(update["table"], "items");
  EXPECT_EQ(update["operation"], "UPDATE");
  EXPECT_EQ(update["key"], nlohmann::json::parse(R"({"id":0})"));
  EXPECT_EQ(update["before"]["note"], "new");
  EXPECT_EQ(update["after"]["note"], "changed");
}

TEST_F(HttpOutputTest, ServerErrorsAreRetriedWithTheSameWebhookId) {
  WriteChanges();
  HttpTestServer server([](const ReceivedRequest&, size_t index) {
    return index < 3 || index == 5 ? Reply::Status(503, "busy") : Reply::Status(200);
  });
  auto cdc = StartCdc(server.Url("/in"));
  DeliverAllAndStop(*cdc, server);
  ExpectExactlyOnceInOrderWithStableIds(server);
  const auto requests = server.requests();
  for (size_t i = 1; i <= 3; ++i) EXPECT_EQ(requests[i].headers.at("webhook-id"), requests[0].headers.at("webhook-id"));
  EXPECT_NE(requests[4].headers.at("webhook-id"), requests[3].headers.at("webhook-id"));
  EXPECT_NE(ReadFile(err_).find("HTTP 503"), std::string::npos) << "each retry is logged";
}

TEST_F(HttpOutputTest, AConnectionCutMidResponseIsRetriedOnANewOne) {
  WriteChanges();
  HttpTestServer server([](const ReceivedRequest&, size_t index) {
    return index == 0 || index == 4 ? Reply::Failure(Reply::Kind::kCloseMidResponse) : Reply::Status(200);
  });
  auto cdc = StartCdc(server.Url("/in"));
  DeliverAllAndStop(*cdc, server);
  ExpectExactlyOnceInOrderWithStableIds(server);
  EXPECT_EQ(server.connections(), 3);
}

TEST_F(HttpOutputTest, AStalledReceiverTimesOutAndTheBatchIsRetried) {
  WriteChanges();
  HttpTestServer server([](const ReceivedRequest&, size_t index) {
    return index == 0 ? Reply::Failure(Reply::Kind::kStall, milliseconds(10'000)) : Reply::Status(200);
  });
  auto cdc = StartCdc(server.Url("/in"), {"--http-timeout", "300ms"});
  DeliverAllAndStop(*cdc, server);
  ExpectExactlyOnceInOrderWithStableIds(server);
  const auto requests = server.requests();
  EXPECT_LT(requests[1].at - requests[0].at, milliseconds(5000)) << "the timeout, not the stall, decided";
  EXPECT_NE(ReadFile(err_).find("timed out after 300 ms"), std::string::npos) << ReadFile(err_);
}

TEST_F(HttpOutputTest, TooManyRequestsWaitsAsLongAsRetryAfterSays) {
  WriteChanges();
  HttpTestServer server([](const ReceivedRequest&, size_t index) {
    Reply reply = Reply::Status(index == 0 ? 429 : 200);
    if (index == 0) reply.headers = {{"Retry-After", "1"}};
    return reply;
  });
  retry_max_backoff_ = "5s";
  auto cdc = StartCdc(server.Url("/in"));
  DeliverAllAndStop(*cdc, server);
  ExpectExactlyOnceInOrderWithStableIds(server);
  const auto requests = server.requests();
  EXPECT_GE(requests[1].at - requests[0].at, milliseconds(950));
}

TEST_F(HttpOutputTest, ARefusedBatchStopsWithExit1AndStaysInTheLog) {
  WriteChanges();
  HttpTestServer server(
      [](const ReceivedRequest&, size_t) { return Reply::Status(400, "{\"error\":\"unknown field note\"}"); });
  auto cdc = StartCdc(server.Url("/in"));
  EXPECT_EQ(cdc->Wait(), 1);
  const std::string err = ReadFile(err_);
  EXPECT_NE(err.find("HTTP 400 from POST " + server.Url("/in")), std::string::npos) << err;
  EXPECT_NE(err.find("unknown field note"), std::string::npos) << err;
  EXPECT_EQ(server.requests().size(), 1u) << "a 400 is not retried";
  EXPECT_EQ(Backlog(), kChanges) << "the refused batch and all after it stay in the log";
}

// An HMAC-SHA256 computed by the openssl command, not by the code under test.
std::string OpensslSignature(const std::string& dir, const std::string& key, const ReceivedRequest& request) {
  const std::string content_file = dir + "/signed-content";
  std::ofstream(content_file, std::ios::binary)
      << request.headers.at("webhook-id") << "." << request.headers.at("webhook-timestamp") << "." << request.body;
  std::string hex_key;
  for (unsigned char c : key) hex_key += "0123456789abcdef"[c >> 4], hex_key += "0123456789abcdef"[c & 15];
  const auto result = testing::RunProcess("/bin/sh", {"-c", "openssl dgst -sha256 -mac HMAC -macopt hexkey:" + hex_key +
                                                                " -binary '" + content_file + "' | base64 -w0"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  return "v1," + result.out;
}

TEST_F(HttpOutputTest, SignsEveryAttemptAndKeepsSecretsOutOfItsLogs) {
  WriteChanges();
  const std::string key = "a key of 24 random bytes";
  const std::string secret = "whsec_YSBrZXkgb2YgMjQgcmFuZG9tIGJ5dGVz";  // base64 of `key`
  setenv("SQLITE_CDC_TEST_WEBHOOK_SECRET", secret.c_str(), 1);
  std::ofstream(dir_.File("headers")) << "Authorization: Bearer tok-3141592653\n";
  HttpTestServer server([](const ReceivedRequest&, size_t index) {
    return index == 0 ? Reply::Status(500, "oops") : Reply::Status(204);
  });
  auto cdc = StartCdc(server.Url("/in"), {"--webhook-secret-env", "SQLITE_CDC_TEST_WEBHOOK_SECRET",
                                          "--http-header-file", dir_.File("headers"), "--log-level", "trace"});
  DeliverAllAndStop(*cdc, server);
  unsetenv("SQLITE_CDC_TEST_WEBHOOK_SECRET");
  ExpectExactlyOnceInOrderWithStableIds(server);
  const auto requests = server.requests();
  for (size_t i : {size_t{0}, size_t{1}, requests.size() - 1}) {
    EXPECT_EQ(requests[i].headers.at("webhook-signature"), OpensslSignature(dir_.path().string(), key, requests[i]));
    EXPECT_EQ(requests[i].headers.at("authorization"), "Bearer tok-3141592653");
  }
  const std::string err = ReadFile(err_);
  EXPECT_NE(err.find("HTTP 500"), std::string::npos) << "the retry was logged";
  EXPECT_EQ(err.find("tok-3141592653"), std::string::npos) << err;
  EXPECT_EQ(err.find(secret.substr(6)), std::string::npos) << err;
}

TEST_F(HttpOutputTest, HttpsVerifiesTheReceiverAgainstTheGivenCa) {
  WriteChanges();
  const testing::TestPki pki = testing::MakeTestPki(dir_.path().string(), "localhost");
  HttpTestServer server({}, pki.server);
  auto cdc = StartCdc(server.Url("/in", "localhost"), {"--http-ca-file", pki.ca_file});
  DeliverAllAndStop(*cdc, server);
  ExpectExactlyOnceInOrderWithStableIds(server);
}

TEST_F(HttpOutputTest, HttpsRefusesAnUntrustedReceiverAndKeepsTheLog) {
  WriteChanges();
  const testing::TestPki pki = testing::MakeTestPki(dir_.path().string(), "localhost");
  HttpTestServer server({}, pki.server);
  for (const auto& [url, extra] : std::vector<std::pair<std::string, std::vector<std::string>>>{
           {server.Url("/in", "localhost"), {}},                                  // CA not trusted
           {server.Url("/in", "127.0.0.1"), {"--http-ca-file", pki.ca_file}}}) {  // name does not match
    auto cdc = StartCdc(url, extra);
    EXPECT_EQ(cdc->Wait(), 1) << url;
    EXPECT_NE(ReadFile(err_).find("certificate refused"), std::string::npos) << ReadFile(err_);
  }
  EXPECT_TRUE(server.requests().empty());
  EXPECT_EQ(Backlog(), kChanges);
}

TEST_F(HttpOutputTest, BadHttpSettingsAreExit2WithOneLine) {
  for (const std::vector<std::string>& extra : std::vector<std::vector<std::string>>{
           {"--output", "http://127.0.0.1:99999/in"},
           {"--output", "http://127.0.0.1:9/in", "--http-header", "no colon here"},
           {"--output", "http://127.0.0.1:9/in", "--webhook-secret-env", "SQLITE_CDC_TEST_UNSET_VARIABLE"},
           {"--output", "http://127.0.0.1:9/in", "--http-timeout", "soon"}}) {
    std::vector<std::string> args{"--db", path_};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto result = testing::RunProcess(testing::BinaryPath("sqlite-cdc"), args);
    EXPECT_EQ(result.exit_code, 2) << extra[1];
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  }
}

}  // namespace
}  // namespace sqlite_cdc
