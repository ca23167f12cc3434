// sqlite-cdc-setup: installs or removes the change log and triggers.
#include <iostream>

#include "capture_flags.h"
#include "help_format.h"
#include "setup_summary.h"
#include "sqlite_cdc/setup.h"

namespace {

using sqlite_cdc::Status;

int RunSetup(const std::string& program, const sqlite_cdc::CaptureOptions& options) {
  sqlite_cdc::SetupReport report;
  const Status status = sqlite_cdc::Setup(options, &report);
  for (const std::string& warning : report.warnings) std::cerr << program << ": warning: " << warning << "\n";
  if (!status.ok()) return sqlite_cdc::cli::Report(program, status);
  std::vector<std::string> watched;
  if (Status read = sqlite_cdc::cli::ReadWatchedTables(options, &watched); !read.ok()) {
    return sqlite_cdc::cli::Report(program, read);
  }
  std::cout << sqlite_cdc::cli::SetupSummary(options, watched) << "\n";
  return 0;
}

int RunTeardown(const std::string& program, const sqlite_cdc::CaptureOptions& options,
                const sqlite_cdc::TeardownOptions& teardown) {
  // Checked first, read-only: Teardown would apply --db-params (journal_mode=WAL by default) to a
  // database it then finds nothing to remove from.
  std::vector<std::string> before;
  if (Status read = sqlite_cdc::cli::ReadWatchedTables(options, &before); !read.ok()) {
    return sqlite_cdc::cli::Report(program, read);
  }
  if (Status status = sqlite_cdc::Teardown(options, teardown); !status.ok()) {
    return sqlite_cdc::cli::Report(program, status);
  }
  std::vector<std::string> after;
  const bool log_kept = sqlite_cdc::cli::ReadWatchedTables(options, &after).ok();
  std::cout << sqlite_cdc::cli::TeardownSummary(options, before, log_kept ? &after : nullptr) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Install or remove sqlite-cdc's change log and triggers", "sqlite-cdc-setup"};
  sqlite_cdc::cli::UseReadableHelp(app);
  sqlite_cdc::CaptureOptions options;
  sqlite_cdc::cli::AddCaptureFlags(app, options);
  app.add_flag("--keep-unchanged-updates", options.keep_unchanged_updates,
               "log UPDATEs that change neither the image nor the key");
  bool setup = false;
  bool teardown = false;
  sqlite_cdc::TeardownOptions teardown_options;
  auto* setup_flag = app.add_flag("--setup", setup, "install the log table and triggers");
  auto* teardown_flag = app.add_flag("--teardown", teardown, "remove the triggers (and the log with the last table)");
  setup_flag->excludes(teardown_flag);
  app.add_flag("--force", teardown_options.discard_undelivered,
               "with --teardown: drop the log even if it holds undelivered changes")
      ->needs(teardown_flag);

  if (int code = sqlite_cdc::cli::ParseOrExitCode(app, argc, argv); code >= 0) return code;
  if (!setup && !teardown) {
    std::cerr << app.get_name() << ": one of --setup or --teardown is required (see --help)\n";
    return 2;
  }
  return setup ? RunSetup(app.get_name(), options) : RunTeardown(app.get_name(), options, teardown_options);
}
