// sqlite-cdc-restore: rebuilds a database from an S3 change-log archive, up to a point in time.
#include <CLI/CLI.hpp>
#include <iostream>

#include "capture_flags.h"
#include "sinks/s3/s3_archive_reader.h"
#include "sqlite_cdc/restore.h"
#include "sqlite_cdc/version.h"

namespace {

using sqlite_cdc::Status;

Status BuildReader(const std::string& from, const sqlite_cdc::RestorePoint& point,
                   std::unique_ptr<sqlite_cdc::sinks::S3ArchiveReader>* reader) {
  sqlite_cdc::sinks::S3Location location;
  if (Status status = sqlite_cdc::sinks::ParseS3Url(from, &location); !status.ok()) return status;
  sqlite_cdc::sinks::AwsCredentials credentials;
  if (Status status = sqlite_cdc::sinks::CredentialsFromEnvironment(&credentials); !status.ok()) return status;
  auto client = std::make_unique<sqlite_cdc::sinks::S3Client>(location, credentials, std::chrono::seconds(30));
  *reader = std::make_unique<sqlite_cdc::sinks::S3ArchiveReader>(std::move(client), point);
  return Status::Ok();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Rebuild a database from an sqlite-cdc S3 archive, up to a point in time", "sqlite-cdc-restore"};
  std::string from, to, timestamp;
  int64_t id = 0;
  app.add_option("--from", from, "s3://bucket/prefix[?endpoint=URL&region=R&force_path_style=true]")->required();
  app.add_option("--to", to, "the database file to create (must not exist)")->required();
  auto* at_time = app.add_option("--timestamp", timestamp, "restore every change at or before this RFC 3339 time");
  auto* at_id = app.add_option("--id", id, "restore every change up to this log id")->check(CLI::PositiveNumber);
  at_time->excludes(at_id);
  app.set_version_flag("--version", sqlite_cdc::kVersion);
  if (int code = sqlite_cdc::cli::ParseOrExitCode(app, argc, argv); code >= 0) return code;
  const std::string program = app.get_name();

  sqlite_cdc::RestorePoint point;
  if (at_id->count()) point.id = id;
  if (at_time->count()) {
    point.timestamp_ms = sqlite_cdc::ParseRfc3339Millis(timestamp);
    if (!point.timestamp_ms) {
      return sqlite_cdc::cli::Report(program, Status::InvalidArgument("invalid --timestamp '" + timestamp +
                                                                      "' (expected e.g. 2026-11-22T10:00:00Z)"));
    }
  }
  std::unique_ptr<sqlite_cdc::sinks::S3ArchiveReader> reader;
  if (Status status = BuildReader(from, point, &reader); !status.ok()) return sqlite_cdc::cli::Report(program, status);
  sqlite_cdc::RestoreReport report;
  if (Status status = sqlite_cdc::Restore(to, *reader, point, &report); !status.ok()) {
    return sqlite_cdc::cli::Report(program, status);
  }
  std::cout << "restored " << to << " from " << reader->starting_point() << ": " << report.snapshot_rows
            << " snapshot rows, " << report.changes_applied << " changes";
  if (report.changes_applied > 0)
    std::cout << " up to log id " << report.last_id << " (" << report.last_timestamp << ")";
  std::cout << "\n";
  if (report.skipped_unknown_tables > 0) {
    std::cerr << program << ": skipped " << report.skipped_unknown_tables
              << " changes of tables the archived schema does not define\n";
  }
  return 0;
}
