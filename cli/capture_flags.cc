#include "capture_flags.h"

#include <iostream>

#include "exit_code.h"
#include "flag_names.h"
#include "sinks/net/url_redaction.h"
#include "version_text.h"

namespace sqlite_cdc::cli {

CLI::Option* AddCaptureFlags(CLI::App& app, CaptureOptions& options) {
  CLI::Option* db = app.add_option("--db", options.db_path, "SQLite database file")->required()->type_name("FILE");
  app.add_option("--table", options.tables, "table to watch (repeatable; default: every table)")->type_name("NAME");
  app.add_flag("--blobs", options.blobs,
               "include BLOB-declared columns as uppercase hex (setup stores it; later commands need not repeat it)");
  app.add_flag_callback(
      "--disable-subsec", [&options] { options.subsecond = false; },
      "whole-second timestamps instead of milliseconds (setup stores it)");
  app.add_option("--log-table", options.log_table, "name of the change log table")
      ->capture_default_str()
      ->type_name("NAME");
  app.add_option("--db-params", options.db_params, "connection parameters, _pragma=name(value)&...")
      ->capture_default_str()
      ->type_name("PARAMS");
  app.set_version_flag("--version", VersionText());
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

Status TakeFlagsGivenBefore(const CLI::App& program, CLI::App& command) {
  for (const CLI::Option* given : program.get_options()) {
    if (given->count() == 0) continue;
    CLI::Option* own = command.get_option_no_throw(given->get_name());
    if (own == nullptr) {
      return Status::InvalidArgument(given->get_name() + " does not apply to " + command.get_name());
    }
    if (own->count() > 0) {
      return Status::InvalidArgument(given->get_name() + " given both before and after " + command.get_name());
    }
    own->add_result(given->results());
    try {
      own->run_callback();
    } catch (const CLI::ParseError& e) {
      return Status::InvalidArgument(sinks::RedactUrls(e.what()));
    }
  }
  return Status::Ok();
}

int Report(const std::string& program, const Status& status) {
  // Messages redact the URLs they quote where they are made; this catches any that did not.
  if (!status.ok()) std::cerr << program << ": " << sinks::RedactUrls(InFlagWords(status.message())) << "\n";
  return ExitCode(status);
}

}  // namespace sqlite_cdc::cli
