#include "capture_flags.h"

#include <iostream>

#include "exit_code.h"
#include "flag_names.h"
#include "sinks/net/url_redaction.h"
#include "sqlite_cdc/version.h"

namespace sqlite_cdc::cli {

CLI::Option* AddCaptureFlags(CLI::App& app, CaptureOptions& options) {
  CLI::Option* db = app.add_option("--db", options.db_path, "SQLite database file")->required();
  app.add_option("--table", options.tables, "table to watch (repeatable; default: every table)");
  app.add_flag("--blobs", options.blobs,
               "include BLOB-declared columns as uppercase hex (setup stores it; later commands need not repeat it)");
  app.add_flag_callback(
      "--disable-subsec", [&options] { options.subsecond = false; },
      "whole-second timestamps instead of milliseconds (setup stores it)");
  app.add_option("--log-table", options.log_table, "name of the change log table")->capture_default_str();
  app.add_option("--db-params", options.db_params, "connection parameters, _pragma=name(value)&...")
      ->capture_default_str();
  app.set_version_flag("--version", kVersion);
  return db;
}

int ParseOrExitCode(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
    return -1;
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // The parser may quote any argument, an --output URL among them.
    std::cerr << app.get_name() << ": " << sinks::RedactUrls(e.what()) << " (see --help)\n";
    return 2;
  }
}

int Report(const std::string& program, const Status& status) {
  // Messages redact the URLs they quote where they are made; this catches any that did not.
  if (!status.ok()) std::cerr << program << ": " << sinks::RedactUrls(InFlagWords(status.message())) << "\n";
  return ExitCode(status);
}

}  // namespace sqlite_cdc::cli
