#include "support/s3_test_server.h"

#include <filesystem>
#include <stdexcept>
#include <thread>
#include <variant>

#include "sinks/net/http_client.h"
#include "sinks/s3/sigv4.h"

namespace sqlite_cdc::testing {
namespace {

std::string NodePackages() { return std::string(CDC_SOURCE_DIR) + "/tests/node"; }

// s3rver accepts anonymous requests, so the test's own look at the bucket needs no signature.
sinks::HttpResponse Ask(int port, const std::string& method, const std::string& target, std::string body = "") {
  sinks::HttpClient client(sinks::HttpEndpoint{false, "127.0.0.1", std::to_string(port)}, std::chrono::seconds(10),
                           sinks::TlsOptions{});
  sinks::HttpRequest request;
  request.method = method;
  request.target = target;
  request.body = std::move(body);
  const sinks::HttpResult result = client.Send(request);
  if (const auto* error = std::get_if<sinks::HttpError>(&result)) throw std::runtime_error(error->message);
  return std::get<sinks::HttpResponse>(result);
}

}  // namespace

S3TestServer::S3TestServer(std::string bucket) : bucket_(std::move(bucket)) {
  if (!std::filesystem::exists(NodePackages() + "/node_modules/s3rver")) {
    throw std::runtime_error("s3rver is not installed: run `make test` (npm ci in tests/node)");
  }
  Start();
}

S3TestServer::~S3TestServer() = default;

std::string S3TestServer::endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

void S3TestServer::Start() {
  process_ = std::make_unique<InteractiveProcess>(
      "/usr/bin/env", std::vector<std::string>{"node", NodePackages() + "/s3_server.js", data_.File("objects"),
                                               std::to_string(port_), bucket_});
  const std::string line = process_->ReadLine();
  if (line.rfind("listening ", 0) != 0) throw std::runtime_error("s3rver did not start: " + line);
  port_ = std::stoi(line.substr(10));
}

void S3TestServer::Stop() { process_.reset(); }

void S3TestServer::FailNext(int requests) {
  process_->Send("fail " + std::to_string(requests));
  if (process_->ReadLine() != "ok") throw std::runtime_error("s3rver did not take the fault");
}

std::vector<std::string> S3TestServer::Keys(const std::string& prefix) {
  // s3rver answers a listing that races a PUT it is storing with a 500 now and then: asked again.
  sinks::HttpResponse response;
  for (int attempt = 1;; ++attempt) {
    response = Ask(port_, "GET", "/" + bucket_ + "?list-type=2&max-keys=1000&prefix=" + sinks::UriEncode(prefix, true));
    if (response.status == 200) break;
    if (attempt == 20)
      throw std::runtime_error("s3rver cannot list " + prefix + ": HTTP " + std::to_string(response.status));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const std::string& body = response.body;
  std::vector<std::string> keys;
  for (size_t at = body.find("<Key>"); at != std::string::npos; at = body.find("<Key>", at)) {
    const size_t end = body.find("</Key>", at);
    keys.push_back(body.substr(at + 5, end - at - 5));
    at = end;
  }
  return keys;
}

std::string S3TestServer::Object(const std::string& key) {
  sinks::HttpResponse response = Ask(port_, "GET", "/" + bucket_ + "/" + sinks::UriEncode(key, false));
  if (response.status != 200) throw std::runtime_error("s3rver has no object " + key);
  return std::move(response.body);
}

void S3TestServer::Delete(const std::string& key) {
  const int status = Ask(port_, "DELETE", "/" + bucket_ + "/" + sinks::UriEncode(key, false)).status;
  if (status != 204) throw std::runtime_error("s3rver refused to delete " + key);
}

void S3TestServer::Put(const std::string& key, const std::string& bytes) {
  const int status = Ask(port_, "PUT", "/" + bucket_ + "/" + sinks::UriEncode(key, false), bytes).status;
  if (status != 200) throw std::runtime_error("s3rver refused to store " + key);
}

}  // namespace sqlite_cdc::testing
