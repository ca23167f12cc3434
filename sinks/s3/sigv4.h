#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "sinks/net/http_client.h"

// AWS Signature Version 4 (header-based), as S3 and every other AWS service check it.
namespace sqlite_cdc::sinks {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty unless temporary credentials
};

struct SigV4Input {
  std::string method;
  std::string path;                // as sent on the wire, already percent-encoded, e.g. "/bucket/a%20b.gz"
  std::string query;               // as sent on the wire, without '?', e.g. "list-type=2&prefix=x%2Fy"; "" for none
  HttpHeaders headers;             // every header to sign, Host and x-amz-date included, any case, any order
  std::string payload_sha256_hex;  // hex SHA-256 of the body, or "UNSIGNED-PAYLOAD"
  // Generic AWS services sign the path with dot segments and empty segments removed, and encoded
  // once more than it was sent; S3 signs it exactly as sent, so both stay false for S3.
  bool normalize_path = false;
  bool encode_path = false;
  std::string region;
  std::string service;  // "s3"
};

struct SigV4Result {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;      // lowercase hex
  std::string authorization;  // the Authorization header's value
};

// "20150830T123600Z".
std::string AmzDate(std::chrono::system_clock::time_point at);

// RFC 3986 percent-encoding as SigV4 wants it: unreserved characters kept, everything else %XX
// (uppercase); '/' kept unless `encode_slash`.
std::string UriEncode(std::string_view text, bool encode_slash);

// Signs at `at` (which must equal the x-amz-date header's time). Never logs; the result holds no secret.
SigV4Result SignV4(const SigV4Input& input, const AwsCredentials& credentials,
                   std::chrono::system_clock::time_point at);

}  // namespace sqlite_cdc::sinks
