#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "sinks/http/http_sink_options.h"
#include "sinks/net/http_client.h"
#include "sinks/net/http_url.h"
#include "sqlite_cdc/status.h"

namespace sqlite_cdc::sinks {

// What the HTTP sink runs with: the URL parsed, header lines checked, files and environment read.
struct HttpSinkConfig {
  HttpUrl url;
  HttpHeaders headers;
  std::optional<std::string> signing_key;  // the HMAC key; none: requests go unsigned
  std::chrono::milliseconds timeout{10000};
  TlsOptions tls;
};

// Fails with kInvalidArgument naming the URL, flag, file or variable at fault, never a header value
// or the secret.
Status ResolveHttpSinkConfig(const std::string& url, const HttpSinkOptions& options, HttpSinkConfig* config);

}  // namespace sqlite_cdc::sinks
