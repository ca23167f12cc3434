#pragma once

#include <memory>
#include <string>

#include "sinks/output_options.h"
#include "sqlite_cdc/changes_handler.h"
#include "sqlite_cdc/status.h"

namespace sqlite_cdc::sinks {

// The one place that turns an --output value into a handler. Every sink is listed here explicitly.
// Unknown or malformed values give kInvalidArgument naming the value.
Status MakeHandler(const OutputOptions& options, std::unique_ptr<ChangesHandler>* handler);

}  // namespace sqlite_cdc::sinks
