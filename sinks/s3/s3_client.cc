#include "sinks/s3/s3_client.h"

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <cstdlib>
#include <sstream>

#include "sinks/http/retry_after.h"
#include "sinks/net/crypto.h"

namespace sqlite_cdc::sinks {
namespace {

// S3's <Error><Code>..</Code><Message>..</Message></Error>, or "" when the body is not one.
std::string ErrorCode(const std::string& body, std::string* message) {
  try {
    std::istringstream in(body);
    boost::property_tree::ptree tree;
    boost::property_tree::read_xml(in, tree);
    *message = tree.get<std::string>("Error.Message", "");
    return tree.get<std::string>("Error.Code", "");
  } catch (const std::exception&) {
    return "";
  }
}

bool IsRetryable(int status, const std::string& code) {
  return status == 500 || status == 502 || status == 503 || status == 504 || status == 429 || status == 408 ||
         code == "SlowDown" || code == "RequestTimeout" || code == "InternalError";
}

}  // namespace

Status CredentialsFromEnvironment(AwsCredentials* credentials) {
  const char* id = std::getenv("AWS_ACCESS_KEY_ID");
  const char* secret = std::getenv("AWS_SECRET_ACCESS_KEY");
  if (!id || !*id) return Status::InvalidArgument("AWS_ACCESS_KEY_ID is not set (the S3 archive needs credentials)");
  if (!secret || !*secret) return Status::InvalidArgument("AWS_SECRET_ACCESS_KEY is not set");
  credentials->access_key_id = id;
  credentials->secret_access_key = secret;
  const char* token = std::getenv("AWS_SESSION_TOKEN");
  credentials->session_token = token ? token : "";
  return Status::Ok();
}

S3Client::S3Client(S3Location location, AwsCredentials credentials, std::chrono::milliseconds timeout, Clock now)
    : location_(std::move(location)),
      credentials_(std::move(credentials)),
      now_(std::move(now)),
      http_(location_.endpoint, timeout, TlsOptions{}) {}

void SignS3Request(HttpRequest& request, const std::string& query, const S3Location& location,
                   const AwsCredentials& credentials, std::chrono::system_clock::time_point now) {
  const std::string payload_hash = LowerHex(Sha256(request.body));
  // Signed as sent: the HTTP client's own Host header carries the same value.
  request.headers.emplace_back("host", location.endpoint.HostHeader());
  request.headers.emplace_back("x-amz-date", AmzDate(now));
  request.headers.emplace_back("x-amz-content-sha256", payload_hash);
  if (!credentials.session_token.empty()) {
    request.headers.emplace_back("x-amz-security-token", credentials.session_token);
  }
  SigV4Input input;
  input.method = request.method;
  input.path = request.target;
  input.query = query;
  input.headers = request.headers;
  input.payload_sha256_hex = payload_hash;
  input.region = location.region;
  input.service = "s3";
  request.headers.emplace_back("Authorization", SignV4(input, credentials, now).authorization);
}

S3Outcome S3Client::Send(const std::string& what, HttpRequest& request, const std::string& query,
                         HttpResponse* response) {
  SignS3Request(request, query, location_, credentials_, now_());
  if (!query.empty()) request.target += "?" + query;

  HttpResult result = http_.Send(request);
  if (const auto* error = std::get_if<HttpError>(&result)) {
    return {error->kind == HttpError::Kind::kCertificate ? S3Outcome::Kind::kFatal : S3Outcome::Kind::kRetry,
            what + ": " + error->message};
  }
  *response = std::move(std::get<HttpResponse>(result));
  if (const auto date = ParseHttpDate(response->Header("date"))) store_time_ = *date;
  if (response->status >= 200 && response->status < 300) return {};
  std::string message;
  const std::string code = ErrorCode(response->body, &message);
  std::string text = what + ": HTTP " + std::to_string(response->status);
  if (!code.empty()) text += " " + code;
  if (!message.empty()) text += " (" + message + ")";
  if (response->status == 404 && code != "NoSuchBucket") return {S3Outcome::Kind::kNotFound, text};
  return {IsRetryable(response->status, code) ? S3Outcome::Kind::kRetry : S3Outcome::Kind::kFatal, text};
}

S3Outcome S3Client::Put(const std::string& key, const std::string& body, const std::string& content_type) {
  HttpRequest request;
  request.method = "PUT";
  request.target = location_.ObjectPath(key);
  request.headers = {{"Content-Type", content_type}};
  request.body = body;
  HttpResponse response;
  return Send("put " + location_.Display() + " " + key, request, "", &response);
}

S3Outcome S3Client::Get(const std::string& key, std::string* body) {
  HttpRequest request;
  request.method = "GET";
  request.target = location_.ObjectPath(key);
  request.max_response_body = uint64_t{1} << 34;
  HttpResponse response;
  S3Outcome outcome = Send("get " + location_.Display() + " " + key, request, "", &response);
  if (outcome.ok()) *body = std::move(response.body);
  return outcome;
}

S3Outcome S3Client::Delete(const std::string& key) {
  HttpRequest request;
  request.method = "DELETE";
  request.target = location_.ObjectPath(key);
  HttpResponse response;
  S3Outcome outcome = Send("delete " + location_.Display() + " " + key, request, "", &response);
  if (outcome.kind == S3Outcome::Kind::kNotFound) return {};  // gone already: what a delete wants
  return outcome;
}

S3Outcome S3Client::List(const std::string& prefix, std::vector<std::string>* keys) {
  std::vector<S3Object> objects;
  S3Outcome outcome = List(prefix, &objects);
  keys->clear();
  for (S3Object& object : objects) keys->push_back(std::move(object.key));
  return outcome;
}

S3Outcome S3Client::List(const std::string& prefix, std::vector<S3Object>* objects, const std::function<bool()>& stop) {
  objects->clear();
  std::string token;
  for (;;) {
    if (stop && stop()) return {S3Outcome::Kind::kRetry, "list " + location_.Display() + ": stopped"};
    HttpRequest request;
    request.method = "GET";
    request.target = location_.BucketPath();
    request.max_response_body = 64u << 20;
    std::string query = "list-type=2&prefix=" + UriEncode(prefix, true);
    if (!token.empty()) query = "continuation-token=" + UriEncode(token, true) + "&" + query;
    HttpResponse response;
    S3Outcome outcome = Send("list " + location_.Display(), request, query, &response);
    if (!outcome.ok()) return outcome;
    try {
      std::istringstream in(response.body);
      boost::property_tree::ptree tree;
      boost::property_tree::read_xml(in, tree);
      const auto& result = tree.get_child("ListBucketResult");
      for (const auto& [name, child] : result) {
        if (name == "Contents") objects->push_back({child.get<std::string>("Key"), child.get<uint64_t>("Size", 0)});
      }
      if (result.get<std::string>("IsTruncated", "false") != "true") return {};
      token = result.get<std::string>("NextContinuationToken", "");
      if (token.empty())
        return {S3Outcome::Kind::kFatal, "list " + location_.Display() + ": truncated without a token"};
    } catch (const std::exception& error) {
      return {S3Outcome::Kind::kRetry, "list " + location_.Display() + ": unreadable answer: " + error.what()};
    }
  }
}

}  // namespace sqlite_cdc::sinks
