#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sinks/net/http_client.h"
#include "sinks/s3/s3_location.h"
#include "sinks/s3/sigv4.h"
#include "sqlite_cdc/status.h"

namespace sqlite_cdc::sinks {

// What became of one S3 call. kRetry: worth trying again (network, 5xx, SlowDown, RequestTimeout);
// kFatal: not without a fix (credentials, permissions, no such bucket).
struct S3Outcome {
  enum class Kind { kOk, kNotFound, kRetry, kFatal };
  Kind kind = Kind::kOk;
  std::string message;  // names the operation and key, and S3's error code; never a credential

  bool ok() const { return kind == Kind::kOk; }
};

// One object of a listing.
struct S3Object {
  std::string key;
  uint64_t size = 0;  // bytes
};

// Reads AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN; kInvalidArgument names the
// missing variable (not a value).
Status CredentialsFromEnvironment(AwsCredentials* credentials);

// Adds Host, x-amz-date, x-amz-content-sha256, the session token if any, and Authorization to
// `request`, whose target is the path alone; `query` is what will follow the '?'.
void SignS3Request(HttpRequest& request, const std::string& query, const S3Location& location,
                   const AwsCredentials& credentials, std::chrono::system_clock::time_point now);

// The few S3 operations the archive needs, signed with SigV4, on one kept-alive connection.
class S3Client {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  S3Client(S3Location location, AwsCredentials credentials, std::chrono::milliseconds timeout,
           Clock now = std::chrono::system_clock::now);

  const S3Location& location() const { return location_; }
  S3Outcome Put(const std::string& key, const std::string& body, const std::string& content_type);
  S3Outcome Get(const std::string& key, std::string* body);
  // DeleteObject: ok also when the key was not there (S3 answers 204 either way).
  S3Outcome Delete(const std::string& key);
  // Every object under `prefix`, in S3's (lexicographic) order, following continuation tokens. A
  // month's archive lists in thousands of pages: `stop`, when given, is asked before each page, and
  // a true answer ends the listing as kRetry ("stopped").
  S3Outcome List(const std::string& prefix, std::vector<S3Object>* objects, const std::function<bool()>& stop = {});
  // The store's clock, from the Date header of its latest answer (whole seconds); nullopt before
  // any answer carried one.
  std::optional<std::chrono::system_clock::time_point> store_time() const { return store_time_; }
  // The same, keys only.
  S3Outcome List(const std::string& prefix, std::vector<std::string>* keys);

 private:
  S3Outcome Send(const std::string& what, HttpRequest& request, const std::string& query, HttpResponse* response);

  S3Location location_;
  AwsCredentials credentials_;
  Clock now_;
  HttpClient http_;
  std::optional<std::chrono::system_clock::time_point> store_time_;
};

}  // namespace sqlite_cdc::sinks
