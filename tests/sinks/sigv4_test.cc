// AWS Signature Version 4 as AWS checks it: the published test suite, the S3 documentation's
// example, and the AWS SDK for JavaScript's signer on the very requests the S3 archive sends.
#include "sinks/s3/sigv4.h"

#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "sinks/net/crypto.h"
#include "sinks/s3/s3_client.h"
#include "support/process.h"

namespace sqlite_cdc::sinks {
namespace {

namespace fs = std::filesystem;
using testing::ReadFile;

const fs::path kSuite = fs::path(CDC_SOURCE_DIR) / "tests/testdata/aws-sigv4";

std::chrono::system_clock::time_point ParseTime(const std::string& text) {  // "2015-08-30T12:36:00Z"
  std::tm parts{};
  strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &parts);
  return std::chrono::system_clock::from_time_t(timegm(&parts));
}

std::string Trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

// One raw request of the suite: request line, headers (folded lines joined), body.
struct RawRequest {
  std::string method, path, query, body;
  HttpHeaders headers;
};

RawRequest ParseRequest(const std::string& text) {
  RawRequest request;
  size_t at = text.find('\n');
  const std::string request_line = text.substr(0, at);
  const size_t space = request_line.find(' ');
  const std::string target = request_line.substr(space + 1, request_line.rfind(' ') - space - 1);
  request.method = request_line.substr(0, space);
  request.path = target.substr(0, target.find('?'));
  if (target.find('?') != std::string::npos) request.query = target.substr(target.find('?') + 1);
  while (at != std::string::npos && at + 1 < text.size()) {
    const size_t end = text.find('\n', at + 1);
    const std::string line = text.substr(at + 1, end == std::string::npos ? std::string::npos : end - at - 1);
    at = end;
    if (line.empty()) {
      if (at != std::string::npos) request.body = text.substr(at + 1);
      break;
    }
    if (line[0] == ' ' || line[0] == '\t') {
      request.headers.back().second += " " + line;
    } else {
      request.headers.emplace_back(line.substr(0, line.find(':')), line.substr(line.find(':') + 1));
    }
  }
  return request;
}

std::vector<std::string> SuiteCases() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kSuite)) {
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class AwsSigningSuite : public ::testing::TestWithParam<std::string> {};

TEST_P(AwsSigningSuite, CanonicalRequestStringToSignAndSignatureMatchAws) {
  const fs::path folder = kSuite / GetParam();
  const auto context = nlohmann::json::parse(ReadFile((folder / "context.json").string()));
  const RawRequest raw = ParseRequest(ReadFile((folder / "request.txt").string()));
  const auto at = ParseTime(context["timestamp"]);

  AwsCredentials credentials{context["credentials"]["access_key_id"], context["credentials"]["secret_access_key"],
                             context["credentials"].value("token", "")};
  SigV4Input input;
  input.method = raw.method;
  input.path = raw.path;
  input.query = raw.query;
  input.headers = raw.headers;
  input.headers.emplace_back("X-Amz-Date", AmzDate(at));
  // The suite adds the token after signing when it says so, as STS's older clients did.
  if (!credentials.session_token.empty() && !context.value("omit_session_token", false)) {
    input.headers.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  input.payload_sha256_hex = LowerHex(Sha256(raw.body));
  if (context["sign_body"]) input.headers.emplace_back("X-Amz-Content-Sha256", input.payload_sha256_hex);
  // The suite is a generic service's: its paths are always encoded, and normalized when it says so.
  input.normalize_path = context["normalize"];
  input.encode_path = true;
  input.region = context["region"];
  input.service = context["service"];

  const SigV4Result result = SignV4(input, credentials, at);
  EXPECT_EQ(result.canonical_request, Trimmed(ReadFile((folder / "header-canonical-request.txt").string())));
  EXPECT_EQ(result.string_to_sign, Trimmed(ReadFile((folder / "header-string-to-sign.txt").string())));
  EXPECT_EQ(result.signature, Trimmed(ReadFile((folder / "header-signature.txt").string())));
  const std::string signed_request = ReadFile((folder / "header-signed-request.txt").string());
  EXPECT_NE(signed_request.find("Authorization:" + result.authorization + "\n"), std::string::npos)
      << result.authorization;
}

INSTANTIATE_TEST_SUITE_P(AwsVectors, AwsSigningSuite, ::testing::ValuesIn(SuiteCases()), [](const auto& info) {
  std::string name = info.param;
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
});

TEST(AwsSigningSuiteFolder, HoldsEveryCase) { EXPECT_GE(SuiteCases().size(), 38u); }

const AwsCredentials kDocumentationKeys{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};

// The S3 documentation's "GET object" example: S3 signs the payload hash header and the raw path.
TEST(S3Signing, MatchesTheS3DocumentationExample) {
  SigV4Input input;
  input.method = "GET";
  input.path = "/test.txt";
  input.payload_sha256_hex = LowerHex(Sha256(""));
  input.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
                   {"Range", "bytes=0-9"},
                   {"x-amz-content-sha256", input.payload_sha256_hex},
                   {"x-amz-date", "20130524T000000Z"}};
  input.region = "us-east-1";
  input.service = "s3";
  const SigV4Result result = SignV4(input, kDocumentationKeys, ParseTime("2013-05-24T00:00:00Z"));
  EXPECT_EQ(result.signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  EXPECT_EQ(result.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(S3Signing, KeysAreEncodedOnceWithSlashesKept) {
  EXPECT_EQ(UriEncode("changes/a b+c~_.-é", false), "changes/a%20b%2Bc~_.-%C3%A9");
  EXPECT_EQ(UriEncode("a/b=c&d", true), "a%2Fb%3Dc%26d");
}

std::string PercentDecoded(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out.push_back(static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// What the SDK's signer says about a request our client signed; it re-derives everything but the
// Authorization header from the same method, host, path, query and headers.
std::string SdkAuthorization(const HttpRequest& request, const std::string& query, const S3Location& location,
                             const AwsCredentials& credentials, const std::string& date) {
  nlohmann::json headers = nlohmann::json::object(), parameters = nlohmann::json::object();
  for (const auto& [name, value] : request.headers) {
    if (name != "Authorization" && name != "x-amz-date") headers[name] = value;
  }
  for (size_t start = 0; start < query.size();) {
    const size_t end = std::min(query.find('&', start), query.size());
    const std::string pair = query.substr(start, end - start);
    parameters[PercentDecoded(pair.substr(0, pair.find('=')))] = PercentDecoded(pair.substr(pair.find('=') + 1));
    start = end + 1;
  }
  const nlohmann::json input{{"method", request.method},
                             {"hostname", location.endpoint.host},
                             {"path", request.target},
                             {"query", parameters},
                             {"headers", headers},
                             {"region", location.region},
                             {"service", "s3"},
                             {"accessKeyId", credentials.access_key_id},
                             {"secretAccessKey", credentials.secret_access_key},
                             {"sessionToken", credentials.session_token},
                             {"date", date}};
  const auto result =
      testing::RunProcess("/usr/bin/env", {"node", std::string(CDC_SOURCE_DIR) + "/tests/node/sign.js", input.dump()});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  return Trimmed(result.out);
}

std::string OurAuthorization(const HttpRequest& request) {
  for (const auto& [name, value] : request.headers) {
    if (name == "Authorization") return value;
  }
  return "";
}

TEST(S3Signing, AgreesWithTheAwsSdkForJavaScriptOnTheArchivesRequests) {
  const AwsCredentials credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "FwoGZXIvYXdzE+token/=="};
  const auto at = ParseTime("2026-11-23T08:15:30Z");
  for (const std::string url : {"s3://cdc-archive/apps/one?region=eu-west-1",
                                "s3://cdc-archive/apps/one?endpoint=http://127.0.0.1:9000&region=us-east-1"}) {
    S3Location location;
    ASSERT_TRUE(ParseS3Url(url, &location).ok()) << url;

    HttpRequest put;
    put.method = "PUT";
    put.target = location.ObjectPath(location.Key("changes/00000000000000000001-00000000000000000064.ndjson.gz"));
    put.headers = {{"Content-Type", "application/gzip"}};
    static constexpr char kGzipStart[] = "\x1f\x8b\x08\x00 bytes";  // holds a NUL: sized, not C-string
    put.body = std::string(kGzipStart, sizeof kGzipStart - 1);
    SignS3Request(put, "", location, credentials, at);
    EXPECT_EQ(OurAuthorization(put), SdkAuthorization(put, "", location, credentials, "2026-11-23T08:15:30Z")) << url;

    HttpRequest list;
    list.method = "GET";
    list.target = location.BucketPath();
    const std::string query = "continuation-token=" + UriEncode("1/a+b=c d", true) +
                              "&list-type=2&prefix=" + UriEncode(location.Key("changes/"), true);
    SignS3Request(list, query, location, credentials, at);
    EXPECT_EQ(OurAuthorization(list), SdkAuthorization(list, query, location, credentials, "2026-11-23T08:15:30Z"))
        << url;
  }
}

}  // namespace
}  // namespace sqlite_cdc::sinks
