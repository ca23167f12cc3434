#include "sinks/archive_factory.h"

#include <chrono>

#include "sinks/net/url_redaction.h"
#include "sinks/s3/s3_archive_reader.h"

namespace sqlite_cdc::sinks {

namespace {
// A restore has no --http-timeout; an archive object is small (one gzipped batch or snapshot part).
constexpr std::chrono::seconds kArchiveRequestTimeout{30};
}  // namespace

Status MakeArchiveReader(const std::string& from, const RestorePoint& point, std::unique_ptr<ArchiveReader>* reader) {
  if (from.rfind("s3://", 0) == 0) {
    S3Location location;
    if (Status status = ParseS3Url(from, &location); !status.ok()) return status;
    AwsCredentials credentials;
    if (Status status = CredentialsFromEnvironment(&credentials); !status.ok()) return status;
    auto client = std::make_unique<S3Client>(std::move(location), std::move(credentials), kArchiveRequestTimeout);
    *reader = std::make_unique<S3ArchiveReader>(std::move(client), point);
    return Status::Ok();
  }
  return Status::InvalidArgument("unsupported --from '" + RedactUrl(from) + "' (expected s3://bucket/prefix)");
}

}  // namespace sqlite_cdc::sinks
