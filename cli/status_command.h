#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "sqlite_cdc/options.h"

namespace sqlite_cdc::cli {

struct StatusFlags {
  CaptureOptions capture;
  bool json = false;
};

// Registers the `status` subcommand on `app`: the capture flags (only --db needed, unless setup
// stored no capture options) and --json. Returns it, to ask whether it was parsed.
CLI::App* AddStatusCommand(CLI::App& app, StatusFlags& flags);

// Prints the capture's status on stdout, as text or one JSON object; returns the exit code (0, or
// 2 with one line on stderr for no --db, a missing database or one without setup).
int RunStatus(const std::string& program, const StatusFlags& flags);

}  // namespace sqlite_cdc::cli
