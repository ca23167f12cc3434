// sqlite-cdc-restore: rebuilds a database from an S3 change-log archive, up to a point in time.
#include <CLI/CLI.hpp>
#include <iostream>

#include "capture_flags.h"
#include "help_format.h"
#include "logging.h"
#include "sinks/archive_factory.h"
#include "sqlite_cdc/restore.h"
#include "version_text.h"

using sqlite_cdc::Status;

int main(int argc, char** argv) {
  CLI::App app{"Rebuild a database from an sqlite-cdc S3 archive, up to a point in time", "sqlite-cdc-restore"};
  sqlite_cdc::cli::UseReadableHelp(app);
  app.footer(sqlite_cdc::cli::AwsEnvironmentHelp());
  std::string from, to, timestamp;
  int64_t id = 0;
  bool list = false, json = false, verify = false;
  app.add_option("--from", from, "s3://bucket/prefix[?endpoint=URL&region=R&force_path_style=true]")
      ->required()
      ->type_name("URL");
  auto* to_option = app.add_option("--to", to, "the database file to create (must not exist)")->type_name("FILE");
  auto* at_time = app.add_option("--timestamp", timestamp, "restore every change at or before this RFC 3339 time")
                      ->type_name("TIME");
  auto* at_id = app.add_option("--id", id, "restore every change up to this log id (1 or more)")
                    ->type_name("N")
                    ->check([](const std::string& text) {
                      const bool whole = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
                      return whole && text.find_first_not_of('0') != std::string::npos ? "" : "a log id is 1 or more";
                    });
  at_time->excludes(at_id);
  auto* list_flag = app.add_flag("--list", list,
                                 "describe the archive instead of restoring: snapshots, the log ids and times its "
                                 "changes cover, gaps, and what a restore can reach");
  list_flag->excludes(to_option)->excludes(at_time)->excludes(at_id);
  app.add_flag("--json", json, "with --list: one JSON object instead of text")->needs(list_flag);
  app.add_flag("--verify", verify,
               "with --list: read every change object, so that one whose content is damaged shows as a gap")
      ->needs(list_flag);
  app.set_version_flag("--version", sqlite_cdc::cli::VersionText());
  if (int code = sqlite_cdc::cli::ParseOrExitCode(app, argc, argv); code >= 0) return code;
  const std::string program = app.get_name();
  sqlite_cdc::cli::ConfigureLogging(program, "info");
  if (!list && to.empty()) {
    return sqlite_cdc::cli::Report(program, Status::InvalidArgument("--to is required (or --list)"));
  }

  sqlite_cdc::RestorePoint point;
  if (at_id->count()) point.id = id;
  if (at_time->count()) {
    point.timestamp_ms = sqlite_cdc::ParseRfc3339Millis(timestamp);
    if (!point.timestamp_ms) {
      return sqlite_cdc::cli::Report(program, Status::InvalidArgument("invalid --timestamp '" + timestamp +
                                                                      "' (expected e.g. 2026-11-22T10:00:00Z)"));
    }
  }
  std::unique_ptr<sqlite_cdc::sinks::ArchiveReader> reader;
  if (Status status = sqlite_cdc::sinks::MakeArchiveReader(from, point, &reader); !status.ok()) {
    return sqlite_cdc::cli::Report(program, status);
  }
  if (list) {
    sqlite_cdc::sinks::ArchiveInventory inventory;
    if (Status status = reader->Describe(&inventory, verify); !status.ok())
      return sqlite_cdc::cli::Report(program, status);
    std::cout << (json ? sqlite_cdc::sinks::InventoryJson(inventory) + "\n"
                       : sqlite_cdc::sinks::InventoryText(inventory));
    return 0;
  }
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
