#include "sinks/http/http_sink_config.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "sinks/http/webhook_signature.h"

namespace sqlite_cdc::sinks {
namespace {

bool IsTokenChar(unsigned char c) {
  return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

std::string Trim(const std::string& text) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

// `where` names the flag or file; the value itself is never echoed (it may be a token).
Status ParseHeaderLine(const std::string& line, const std::string& where, HttpHeaders* headers) {
  const size_t colon = line.find(':');
  const std::string name = Trim(line.substr(0, colon));
  if (colon == std::string::npos || name.empty() ||
      !std::all_of(name.begin(), name.end(), [](unsigned char c) { return IsTokenChar(c); })) {
    return Status::InvalidArgument("invalid header in " + where + ": expected 'Name: value'");
  }
  const std::string value = Trim(line.substr(colon + 1));
  if (value.find_first_of("\r\n") != std::string::npos || value.find('\0') != std::string::npos) {
    return Status::InvalidArgument("invalid header '" + name + "' in " + where + ": the value holds a line break");
  }
  static const char* const kOurs[] = {"host",       "content-length", "content-type",      "transfer-encoding",
                                      "connection", "webhook-id",     "webhook-timestamp", "webhook-signature"};
  if (std::find(std::begin(kOurs), std::end(kOurs), Lower(name)) != std::end(kOurs)) {
    return Status::InvalidArgument("header '" + name + "' in " + where + " is set by sqlite-cdc itself");
  }
  headers->emplace_back(name, value);
  return Status::Ok();
}

Status ReadWholeFile(const std::string& path, const std::string& what, std::string* text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("cannot read " + what + " '" + path + "'");
  std::ostringstream content;
  content << in.rdbuf();
  *text = content.str();
  return Status::Ok();
}

Status ReadSecret(const HttpSinkOptions& options, std::optional<std::string>* key) {
  if (!options.secret_env.empty() && !options.secret_file.empty()) {
    return Status::InvalidArgument(
        "give the webhook secret by --webhook-secret-env or --webhook-secret-file, not both");
  }
  std::string secret;
  if (!options.secret_env.empty()) {
    const char* value = std::getenv(options.secret_env.c_str());
    if (value == nullptr || *value == '\0') {
      return Status::InvalidArgument("environment variable " + options.secret_env +
                                     " (--webhook-secret-env) is not set");
    }
    secret = value;
  } else if (!options.secret_file.empty()) {
    if (Status status = ReadWholeFile(options.secret_file, "webhook secret file", &secret); !status.ok()) return status;
    secret = Trim(secret);
    if (secret.empty()) return Status::InvalidArgument("webhook secret file '" + options.secret_file + "' is empty");
  } else {
    return Status::Ok();
  }
  *key = WebhookSigningKey(secret);
  if (!*key || (*key)->empty())
    return Status::InvalidArgument("the webhook secret starts with whsec_ but is not base64");
  return Status::Ok();
}

}  // namespace

Status ResolveHttpSinkConfig(const std::string& url, const HttpSinkOptions& options, HttpSinkConfig* config) {
  HttpSinkConfig resolved;
  if (Status status = ParseHttpUrl(url, &resolved.url); !status.ok()) return status;
  for (const std::string& line : options.headers) {
    if (Status status = ParseHeaderLine(line, "--http-header", &resolved.headers); !status.ok()) return status;
  }
  if (!options.headers_file.empty()) {
    std::string text;
    if (Status status = ReadWholeFile(options.headers_file, "header file", &text); !status.ok()) return status;
    std::istringstream lines(text);
    const std::string where = "'" + options.headers_file + "'";
    for (std::string line; std::getline(lines, line);) {
      if (Trim(line).empty() || Trim(line)[0] == '#') continue;
      if (Status status = ParseHeaderLine(line, where, &resolved.headers); !status.ok()) return status;
    }
  }
  if (Status status = ReadSecret(options, &resolved.signing_key); !status.ok()) return status;
  if (options.timeout.count() <= 0) return Status::InvalidArgument("--http-timeout must be positive");
  resolved.timeout = options.timeout;
  if (!options.ca_file.empty() && !std::ifstream(options.ca_file)) {
    return Status::InvalidArgument("cannot read CA file '" + options.ca_file + "' (--http-ca-file)");
  }
  resolved.tls.ca_file = options.ca_file;
  resolved.tls.verify = !options.insecure_skip_verify;
  if (!resolved.url.endpoint.tls && (!options.ca_file.empty() || options.insecure_skip_verify)) {
    return Status::InvalidArgument("--http-ca-file and --http-insecure-skip-verify need an https:// URL");
  }
  *config = std::move(resolved);
  return Status::Ok();
}

}  // namespace sqlite_cdc::sinks
