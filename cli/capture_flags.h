#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "sqlite_cdc/options.h"
#include "sqlite_cdc/status.h"

namespace sqlite_cdc::cli {

// Registers the flags every program shares (--db, --table, --blobs, --disable-subsec, --log-table,
// --db-params) and fills `options` from them. Returns the --db option (required).
CLI::Option* AddCaptureFlags(CLI::App& app, CaptureOptions& options);

// Parses argv. Returns -1 to go on, or the exit code: 0 after --help/--version, 2 after a usage
// error, reported as one line on stderr.
int ParseOrExitCode(CLI::App& app, int argc, char** argv);

// A subcommand's flags may also be written before its name (`sqlite-cdc --db F status`): gives
// `command` each option given to `program` that it has itself. kInvalidArgument names an option that
// `command` does not take, or one given on both sides.
Status TakeFlagsGivenBefore(const CLI::App& program, CLI::App& command);

// Prints "<program>: <message>" for a failed (or cancelled) status, options said as flags, and returns
// its exit code (ExitCode).
int Report(const std::string& program, const Status& status);

}  // namespace sqlite_cdc::cli
