#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sqlite_cdc::testing {

// One request as the server read it, and what it did about it.
struct ReceivedRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  int connection = 0;  // 1-based count of the connection it came on
  int answered = 0;    // the status sent in full; 0 when the server failed on purpose
  std::chrono::steady_clock::time_point at;
};

// What the server does with one request.
struct Reply {
  enum class Kind {
    kRespond,           // a full response
    kCloseMidResponse,  // the status line and part of the body, then the connection is closed
    kStall,             // no answer for `stall`, then the connection is closed
    kCloseQuietly,      // close at once, without a response
  };
  Kind kind = Kind::kRespond;
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool close_after = false;  // close the connection after a full response, without saying so
  std::chrono::milliseconds stall{0};

  static Reply Status(int status, std::string body = "") {
    Reply reply;
    reply.status = status;
    reply.body = std::move(body);
    return reply;
  }
  static Reply Failure(Kind kind, std::chrono::milliseconds stall = {}) {
    Reply reply;
    reply.kind = kind;
    reply.stall = stall;
    return reply;
  }
};

// Decides each reply from the request and its 0-based index among all requests.
using ReplyScript = std::function<Reply(const ReceivedRequest&, size_t index)>;

// Files of a certificate and its private key, PEM.
struct ServerCertificate {
  std::string cert_file;
  std::string key_file;
};

// A real HTTP/1.1 server on 127.0.0.1 and an ephemeral port, on a thread of its own, with
// keep-alive; plain or TLS. It records every request and answers as the script says.
class HttpTestServer {
 public:
  explicit HttpTestServer(ReplyScript script = {}, std::optional<ServerCertificate> tls = std::nullopt);
  HttpTestServer(const HttpTestServer&) = delete;
  HttpTestServer& operator=(const HttpTestServer&) = delete;
  ~HttpTestServer();

  uint16_t port() const;
  // "http://127.0.0.1:<port><path>" (https for TLS); `host` replaces 127.0.0.1.
  std::string Url(const std::string& path, const std::string& host = "127.0.0.1") const;
  std::vector<ReceivedRequest> requests() const;
  int connections() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// A CA and a server certificate it signed for `host_name`, made with the openssl command in `dir`.
struct TestPki {
  std::string ca_file;
  ServerCertificate server;
};
TestPki MakeTestPki(const std::string& dir, const std::string& host_name);

}  // namespace sqlite_cdc::testing
