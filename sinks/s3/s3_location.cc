#include "sinks/s3/s3_location.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>

#include "sinks/net/url_redaction.h"
#include "sinks/s3/sigv4.h"

namespace sqlite_cdc::sinks {
namespace {

std::string PercentDecode(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string Trimmed(std::string text, char c) {
  while (!text.empty() && text.front() == c) text.erase(0, 1);
  while (!text.empty() && text.back() == c) text.pop_back();
  return text;
}

bool IsValidBucket(const std::string& bucket) {
  if (bucket.size() < 3 || bucket.size() > 63) return false;
  for (char c : bucket) {
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-' ||
          c == '.')) {
      return false;
    }
  }
  return true;
}

std::string RegionFromEnvironment() {
  for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    if (const char* value = std::getenv(name); value && *value) return value;
  }
  return "us-east-1";
}

}  // namespace

std::string S3Location::Key(const std::string& name) const { return prefix.empty() ? name : prefix + "/" + name; }

std::string S3Location::ObjectPath(const std::string& key) const {
  return (path_style ? "/" + bucket + "/" : "/") + UriEncode(key, false);
}

std::string S3Location::BucketPath() const { return path_style ? "/" + bucket : "/"; }

std::string S3Location::Display() const { return "s3://" + bucket + (prefix.empty() ? "" : "/" + prefix); }

Status ParseS3Url(const std::string& text, S3Location* location) {
  const auto bad = [&text](const std::string& why) {
    return Status::InvalidArgument("invalid URL '" + RedactUrl(text) + "': " + why);
  };
  if (text.rfind("s3://", 0) != 0) return bad("expected s3://bucket/prefix");
  std::string rest = text.substr(5);
  std::map<std::string, std::string> params;
  if (const size_t question = rest.find('?'); question != std::string::npos) {
    std::string query = rest.substr(question + 1);
    rest.resize(question);
    size_t start = 0;
    while (start <= query.size()) {
      const size_t end = std::min(query.find('&', start), query.size());
      const std::string pair = query.substr(start, end - start);
      if (!pair.empty()) {
        const size_t equals = pair.find('=');
        const std::string name = pair.substr(0, equals);
        if (name != "endpoint" && name != "region" && name != "force_path_style") {
          return bad("unknown parameter '" + name + "' (expected endpoint, region, force_path_style)");
        }
        params[name] = equals == std::string::npos ? "" : PercentDecode(pair.substr(equals + 1));
      }
      start = end + 1;
    }
  }
  S3Location parsed;
  const size_t slash = rest.find('/');
  parsed.bucket = rest.substr(0, slash);
  if (slash != std::string::npos) parsed.prefix = Trimmed(rest.substr(slash + 1), '/');
  if (!IsValidBucket(parsed.bucket)) return bad("bucket names are 3-63 characters of a-z, 0-9, '-' and '.'");
  parsed.region = params.count("region") ? params["region"] : RegionFromEnvironment();
  if (parsed.region.empty()) return bad("empty region");
  if (params.count("force_path_style")) {
    const std::string& value = params["force_path_style"];
    if (value != "true" && value != "false") return bad("force_path_style must be true or false");
    parsed.path_style = value == "true";
  }
  if (params.count("endpoint")) {
    HttpUrl endpoint;
    if (Status status = ParseHttpUrl(params["endpoint"], &endpoint); !status.ok()) {
      return bad("endpoint: " + status.message());
    }
    if (endpoint.target != "/") return bad("the endpoint takes no path");
    parsed.endpoint = endpoint.endpoint;
    const std::string& host = parsed.endpoint.host;
    const bool ip_or_localhost = host == "localhost" || host.find_first_not_of("0123456789.") == std::string::npos ||
                                 host.find(':') != std::string::npos;
    if (ip_or_localhost) parsed.path_style = true;
  } else {
    parsed.endpoint = {true, "s3." + parsed.region + ".amazonaws.com", "443"};
  }
  if (!parsed.path_style) parsed.endpoint.host = parsed.bucket + "." + parsed.endpoint.host;
  *location = std::move(parsed);
  return Status::Ok();
}

}  // namespace sqlite_cdc::sinks
