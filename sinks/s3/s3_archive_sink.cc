#include "sinks/s3/s3_archive_sink.h"

#include <random>

#include "sinks/s3/archive_layout.h"
#include "sinks/s3/gzip.h"

namespace sqlite_cdc::sinks {
namespace {

std::string Rfc3339(std::chrono::system_clock::time_point at, const char* format) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(at);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char text[32];
  std::strftime(text, sizeof(text), format, &parts);
  return text;
}

// A snapshot's folder: sortable by when it was taken, unique even for two in one second.
std::string NewRunName(std::chrono::system_clock::time_point now) {
  std::random_device random;
  char suffix[16];
  std::snprintf(suffix, sizeof(suffix), "-%08x", random());
  return Rfc3339(now, "%Y%m%dT%H%M%SZ") + suffix;
}

}  // namespace

S3ArchiveSink::S3ArchiveSink(std::unique_ptr<S3Client> client, Clock now)
    : client_(std::move(client)), now_(std::move(now)) {}

HandlerResult S3ArchiveSink::Put(const std::string& name, const std::string& body, const std::string& content_type) {
  const S3Outcome outcome = client_->Put(client_->location().Key(name), body, content_type);
  switch (outcome.kind) {
    case S3Outcome::Kind::kOk:
      return HandlerResult::Success();
    case S3Outcome::Kind::kRetry:
      return HandlerResult::Retry(outcome.message);
    default:
      return HandlerResult::Fatal(outcome.message);
  }
}

HandlerResult S3ArchiveSink::Handle(const Changes& batch) {
  if (batch.empty()) return HandlerResult::Success();
  const std::string body = Gzip(EventLines(batch));
  if (!batch.front().bootstrap) {
    return Put(ChangesObjectName(batch.front().id, batch.back().id), body, "application/gzip");
  }
  if (snapshot_run_.empty()) {
    snapshot_run_ = NewRunName(now_());
    snapshot_taken_at_ = batch.front().timestamp;
  }
  // The part number moves on only once a part is stored: a retried part overwrites itself.
  HandlerResult result = Put(SnapshotPartName(snapshot_run_, snapshot_parts_ + 1), body, "application/gzip");
  if (result.kind == HandlerResult::Kind::kSuccess) {
    ++snapshot_parts_;
    snapshot_rows_ += static_cast<int64_t>(batch.size());
  }
  return result;
}

HandlerResult S3ArchiveSink::OnSchema(const WatchedSchema& schema) {
  return Put(SchemaObjectName(schema.log_position), SchemaJson(schema, Rfc3339(now_(), "%Y-%m-%dT%H:%M:%SZ")),
             "application/json");
}

HandlerResult S3ArchiveSink::OnSnapshotComplete(int64_t log_position) {
  if (snapshot_run_.empty()) {  // an empty database: a snapshot of no rows is still a snapshot
    snapshot_run_ = NewRunName(now_());
    snapshot_taken_at_ = Rfc3339(now_(), "%Y-%m-%dT%H:%M:%SZ");
  }
  const SnapshotManifest manifest{log_position, snapshot_parts_, snapshot_rows_, snapshot_taken_at_};
  HandlerResult result = Put(SnapshotManifestName(snapshot_run_), ManifestJson(manifest), "application/json");
  if (result.kind == HandlerResult::Kind::kSuccess) {
    snapshot_run_.clear();
    snapshot_parts_ = 0;
    snapshot_rows_ = 0;
  }
  return result;
}

}  // namespace sqlite_cdc::sinks
