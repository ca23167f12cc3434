#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "sinks/net/http_url.h"

namespace sqlite_cdc::sinks {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct TlsOptions {
  std::string ca_file;  // empty: the system's CAs
  bool verify = true;   // false accepts any certificate for any name: tests and emergencies only
};

struct HttpRequest {
  std::string method = "POST";
  std::string target = "/";
  HttpHeaders headers;  // Host, User-Agent and Content-Length are set by the client
  std::string body;
  uint64_t max_response_body = 8u << 20;
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;
  std::string body;

  // The first header of that name, compared without case; empty when absent.
  std::string Header(std::string_view name) const;
};

// Why no response arrived.
struct HttpError {
  enum class Kind {
    kNetwork,      // refused, reset, closed, name not resolved: worth retrying
    kTimeout,      // a connect, write or read step took longer than the timeout: worth retrying
    kCertificate,  // the server's certificate was refused: retrying will not help
  };
  Kind kind = Kind::kNetwork;
  std::string message;  // names the step and the endpoint, never a header value
};

using HttpResult = std::variant<HttpResponse, HttpError>;

// One keep-alive HTTP/1.1 connection to one endpoint, plain or TLS, used from one thread. Each
// network step (resolve, connect, handshake, write, read) gets a fresh timeout. The connection is
// opened on first use, kept while the server allows, and reopened when the server has closed it.
class HttpClient {
 public:
  HttpClient(HttpEndpoint endpoint, std::chrono::milliseconds timeout, TlsOptions tls);
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;
  ~HttpClient();

  // Sends one request and reads its response. When a kept-alive connection turns out to have been
  // closed by the server before any response byte, the request is sent once more on a new one.
  HttpResult Send(const HttpRequest& request);

  const HttpEndpoint& endpoint() const;
  // Connections opened so far: with keep-alive, one for many requests.
  int connections_opened() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sqlite_cdc::sinks
