#pragma once

#include <string>

#include "sqlite_cdc/status.h"

namespace sqlite_cdc::sinks {

// Where an HTTP client connects: scheme, host and port, without the path.
struct HttpEndpoint {
  bool tls = false;
  std::string host;  // without brackets for IPv6 literals
  std::string port;  // always set: 80 or 443 when the URL names none

  // "http://host:port" as users wrote it, for messages (never holds credentials).
  std::string Origin() const;
  // The Host header's value.
  std::string HostHeader() const;
};

struct HttpUrl {
  HttpEndpoint endpoint;
  std::string target = "/";  // path and query
};

// Parses http://host[:port][/path][?query] and https://...; user:password@ is refused (it would
// show in `ps`; send credentials as a header instead), as is a #fragment.
Status ParseHttpUrl(const std::string& text, HttpUrl* url);

}  // namespace sqlite_cdc::sinks
