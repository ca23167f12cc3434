#include "sinks/net/http_url.h"

#include <algorithm>
#include <cctype>

#include "sinks/net/url_redaction.h"

namespace sqlite_cdc::sinks {
namespace {

bool IsPort(const std::string& text) {
  if (text.empty() || text.size() > 5 || !std::all_of(text.begin(), text.end(), ::isdigit)) return false;
  const int port = std::stoi(text);
  return port > 0 && port <= 65535;
}

bool IsDefaultPort(const HttpEndpoint& endpoint) { return endpoint.port == (endpoint.tls ? "443" : "80"); }

std::string BracketedHost(const std::string& host) {
  return host.find(':') == std::string::npos ? host : "[" + host + "]";
}

}  // namespace

std::string HttpEndpoint::Origin() const {
  return std::string(tls ? "https://" : "http://") + BracketedHost(host) + ":" + port;
}

std::string HttpEndpoint::HostHeader() const {
  return IsDefaultPort(*this) ? BracketedHost(host) : BracketedHost(host) + ":" + port;
}

Status ParseHttpUrl(const std::string& text, HttpUrl* url) {
  const auto bad = [&text](const std::string& why) {
    return Status::InvalidArgument("invalid URL '" + RedactUrl(text) + "': " + why);
  };
  HttpUrl parsed;
  std::string rest;
  if (text.rfind("http://", 0) == 0) {
    rest = text.substr(7);
  } else if (text.rfind("https://", 0) == 0) {
    parsed.endpoint.tls = true;
    rest = text.substr(8);
  } else {
    return bad("expected http:// or https://");
  }
  if (rest.find('#') != std::string::npos) return bad("a #fragment is never sent");
  const size_t path_start = rest.find_first_of("/?");
  std::string authority = rest.substr(0, path_start);
  if (path_start != std::string::npos) {
    parsed.target = rest.substr(path_start);
    if (parsed.target[0] == '?') parsed.target.insert(0, "/");
  }
  if (authority.find('@') != std::string::npos) {
    return bad("credentials in the URL are not supported; pass them as a header (--http-header)");
  }
  std::string port;
  bool has_port = false;
  if (!authority.empty() && authority[0] == '[') {
    const size_t close = authority.find(']');
    if (close == std::string::npos) return bad("unclosed [ in the host");
    parsed.endpoint.host = authority.substr(1, close - 1);
    const std::string after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return bad("unexpected text after ]");
      port = after.substr(1);
      has_port = true;
    }
  } else {
    const size_t colon = authority.find(':');
    parsed.endpoint.host = authority.substr(0, colon);
    if (colon != std::string::npos) {
      port = authority.substr(colon + 1);
      has_port = true;
    }
  }
  if (parsed.endpoint.host.empty()) return bad("no host");
  if (parsed.target.find_first_of(" \t\r\n") != std::string::npos) return bad("whitespace in the path");
  if (!has_port) port = parsed.endpoint.tls ? "443" : "80";
  if (!IsPort(port)) return bad("port must be 1-65535");
  parsed.endpoint.port = port;
  *url = std::move(parsed);
  return Status::Ok();
}

}  // namespace sqlite_cdc::sinks
