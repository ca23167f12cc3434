#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "sinks/s3/s3_client.h"
#include "sqlite_cdc/changes_handler.h"

namespace sqlite_cdc::sinks {

// `--output s3://...`: every batch one gzipped NDJSON object named by its id range, the schema
// whenever it changes, and bootstrap snapshots with a manifest written last (archive_layout.h).
// An object is written whole or not at all (one PUT each), so a retry or a crash leaves either
// nothing or a complete object; a batch re-cut after a restart may overlap an earlier object,
// which restore tolerates.
class S3ArchiveSink : public ChangesHandler {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  explicit S3ArchiveSink(std::unique_ptr<S3Client> client, Clock now = std::chrono::system_clock::now);

  HandlerResult Handle(const Changes& batch) override;
  HandlerResult OnSchema(const WatchedSchema& schema) override;
  HandlerResult OnSnapshotComplete(int64_t log_position) override;

 private:
  HandlerResult Put(const std::string& name, const std::string& body, const std::string& content_type);

  std::unique_ptr<S3Client> client_;
  Clock now_;
  std::string snapshot_run_;  // set by the first bootstrap batch of a snapshot
  int snapshot_parts_ = 0;    // parts accepted so far
  int64_t snapshot_rows_ = 0;
  std::string snapshot_taken_at_;
};

}  // namespace sqlite_cdc::sinks
