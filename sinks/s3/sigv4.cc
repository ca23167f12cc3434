#include "sinks/s3/sigv4.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>
#include <vector>

#include "sinks/net/crypto.h"

namespace sqlite_cdc::sinks {
namespace {

bool IsUnreserved(unsigned char c) { return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Only %XX is decoded: '+' stays a plus, since S3 does not read it as a space in the query.
std::string PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int high = HexValue(text[i + 1]);
      const int low = HexValue(text[i + 2]);
      if (high >= 0 && low >= 0) {
        out.push_back(static_cast<char>(high * 16 + low));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

std::string ToLower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// Header values are signed trimmed, with every run of whitespace (folded lines included) as one space.
std::string CanonicalHeaderValue(std::string_view value) {
  std::string out;
  bool pending_space = false;
  for (const unsigned char c : value) {
    if (std::isspace(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(static_cast<char>(c));
  }
  return out;
}

// RFC 3986 dot-segment removal plus collapsing of empty segments, as generic AWS services expect.
std::string NormalizePath(std::string_view path) {
  std::vector<std::string_view> segments;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t slash = std::min(path.find('/', start), path.size());
    const std::string_view segment = path.substr(start, slash - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    start = slash + 1;
  }
  std::string out = "/";
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) out += '/';
    out += segments[i];
  }
  const bool ends_in_directory =
      path.ends_with("/") || path.ends_with("/.") || path.ends_with("/..") || path == "." || path == "..";
  if (!segments.empty() && ends_in_directory) out += '/';
  return out;
}

std::string CanonicalUri(const SigV4Input& input) {
  std::string path = input.path.empty() ? "/" : input.path;
  if (input.normalize_path) path = NormalizePath(path);
  if (input.encode_path) path = UriEncode(path, /*encode_slash=*/false);
  return path;
}

std::string CanonicalQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> parameters;
  size_t start = 0;
  while (start < query.size()) {
    const size_t amp = std::min(query.find('&', start), query.size());
    const std::string_view pair = query.substr(start, amp - start);
    if (!pair.empty()) {
      const size_t equals = pair.find('=');
      const std::string_view name = pair.substr(0, equals);
      const std::string_view value = equals == std::string_view::npos ? "" : pair.substr(equals + 1);
      parameters.emplace_back(UriEncode(PercentDecode(name), true), UriEncode(PercentDecode(value), true));
    }
    start = amp + 1;
  }
  std::sort(parameters.begin(), parameters.end());
  std::string out;
  for (const auto& [name, value] : parameters) {
    if (!out.empty()) out += '&';
    out += name + "=" + value;
  }
  return out;
}

struct CanonicalHeaders {
  std::string block;         // "name:value\n" per header, sorted by name
  std::string signed_names;  // "host;x-amz-date"
};

CanonicalHeaders Canonicalize(const HttpHeaders& headers) {
  std::map<std::string, std::string> merged;  // sorted by lowercase name
  for (const auto& [name, value] : headers) {
    std::string& slot = merged[ToLower(name)];
    if (!slot.empty()) slot += ',';
    slot += CanonicalHeaderValue(value);
  }
  CanonicalHeaders out;
  for (const auto& [name, value] : merged) {
    out.block += name + ":" + value + "\n";
    if (!out.signed_names.empty()) out.signed_names += ';';
    out.signed_names += name;
  }
  return out;
}

std::string DateStamp(std::string_view amz_date) { return std::string(amz_date.substr(0, 8)); }

}  // namespace

std::string AmzDate(std::chrono::system_clock::time_point at) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(at);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[17];
  std::strftime(text, sizeof(text), "%Y%m%dT%H%M%SZ", &utc);
  return text;
}

std::string UriEncode(std::string_view text, bool encode_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const unsigned char c : text) {
    if (IsUnreserved(c) || (c == '/' && !encode_slash)) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

SigV4Result SignV4(const SigV4Input& input, const AwsCredentials& credentials,
                   std::chrono::system_clock::time_point at) {
  const std::string amz_date = AmzDate(at);
  const std::string scope = DateStamp(amz_date) + "/" + input.region + "/" + input.service + "/aws4_request";
  const CanonicalHeaders headers = Canonicalize(input.headers);

  SigV4Result result;
  result.canonical_request = input.method + "\n" + CanonicalUri(input) + "\n" + CanonicalQuery(input.query) + "\n" +
                             headers.block + "\n" + headers.signed_names + "\n" + input.payload_sha256_hex;
  result.string_to_sign =
      "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + LowerHex(Sha256(result.canonical_request));

  const std::string date_key = HmacSha256("AWS4" + credentials.secret_access_key, DateStamp(amz_date));
  const std::string region_key = HmacSha256(date_key, input.region);
  const std::string service_key = HmacSha256(region_key, input.service);
  const std::string signing_key = HmacSha256(service_key, "aws4_request");
  result.signature = LowerHex(HmacSha256(signing_key, result.string_to_sign));
  result.authorization = "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + "/" + scope +
                         ", SignedHeaders=" + headers.signed_names + ", Signature=" + result.signature;
  return result;
}

}  // namespace sqlite_cdc::sinks
