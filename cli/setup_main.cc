// sqlite-cdc-setup: installs or removes the change log and triggers.
#include <iostream>

#include "capture_flags.h"
#include "sqlite_cdc/setup.h"

int main(int argc, char** argv) {
  CLI::App app{"Install or remove sqlite-cdc's change log and triggers", "sqlite-cdc-setup"};
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
  sqlite_cdc::SetupReport report;
  const sqlite_cdc::Status status =
      setup ? sqlite_cdc::Setup(options, &report) : sqlite_cdc::Teardown(options, teardown_options);
  for (const std::string& warning : report.warnings) std::cerr << app.get_name() << ": warning: " << warning << "\n";
  return sqlite_cdc::cli::Report(app.get_name(), status);
}
