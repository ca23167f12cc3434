#include "output_flags.h"

namespace sqlite_cdc::cli {

void AddOutputFlags(CLI::App& app, sinks::OutputOptions& options) {
  app.add_option("--output", options.output, "-, json")->capture_default_str();
}

}  // namespace sqlite_cdc::cli
