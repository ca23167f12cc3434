#pragma once

#include <string>

#include "sinks/net/http_url.h"
#include "sqlite_cdc/status.h"

namespace sqlite_cdc::sinks {

// Where an archive lives: s3://bucket/prefix?endpoint=URL&region=R&force_path_style=true.
struct S3Location {
  std::string bucket;
  std::string prefix;  // without leading or trailing '/'; may be empty
  std::string region = "us-east-1";
  HttpEndpoint endpoint;    // the server to connect to (the bucket's own host with virtual hosting)
  bool path_style = false;  // /bucket/key instead of bucket.host/key

  // The object key for `name` under the prefix, e.g. "prefix/changes/...".
  std::string Key(const std::string& name) const;
  // The request path for a key (percent-encoded), and for the bucket itself.
  std::string ObjectPath(const std::string& key) const;
  std::string BucketPath() const;
  // "s3://bucket/prefix" for messages.
  std::string Display() const;
};

// Without endpoint: AWS, virtual-hosted (https://bucket.s3.REGION.amazonaws.com). With one: that
// server, path-style when asked or when the endpoint is an IP address or localhost. The region
// defaults to AWS_REGION, then AWS_DEFAULT_REGION, then us-east-1.
Status ParseS3Url(const std::string& text, S3Location* location);

}  // namespace sqlite_cdc::sinks
