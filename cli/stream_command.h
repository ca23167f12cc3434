#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "sinks/output_options.h"
#include "sqlite_cdc/options.h"

namespace sqlite_cdc::cli {

// The flags of streaming, what `sqlite-cdc` does without a subcommand.
struct StreamFlags {
  EngineOptions engine;
  bool bootstrap = false;
  bool cdc = false;
  bool drain = false;
  sinks::OutputOptions output;
  std::string log_level = "info";
  std::string metrics_addr;
  // Durations are parsed after the command line, so a bad one is reported like any bad input.
  std::string poll_interval = "1s";
  std::string retry_initial = "100ms";
  std::string retry_max = "30s";
  std::string ack_interval = "250ms";
  std::string stop_grace = "5s";
};

// Registers streaming's flags on the program itself. Returns --db, which is not marked required
// (a subcommand takes its own): RunStream checks it.
CLI::Option* AddStreamFlags(CLI::App& app, StreamFlags& flags);

// Streams until done, stopped (SIGINT/SIGTERM) or failed; returns the exit code. A run that ends
// well logs one line of what it delivered. A bootstrap stopped by a signal before its snapshot was
// complete exits 128 + the signal (130 for SIGINT, 143 for SIGTERM), as a shell reports a process the
// signal ended: a script must not take a partial snapshot for a whole one.
int RunStream(const std::string& program, StreamFlags& flags);

}  // namespace sqlite_cdc::cli
