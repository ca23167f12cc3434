#pragma once

#include <CLI/CLI.hpp>

#include "sinks/output_options.h"

namespace sqlite_cdc::cli {

// Registers --output and the options of every sink, filling `options` from them.
void AddOutputFlags(CLI::App& app, sinks::OutputOptions& options);

}  // namespace sqlite_cdc::cli
