#pragma once

#include "sqlite_cdc/status.h"

namespace sqlite_cdc::cli {

// The programs' exit code for a Status (DESIGN.md): 0 for success and for a stop by SIGINT or
// SIGTERM (kCancelled), 2 for what the user must fix (kInvalidArgument, kNotFound: bad usage or
// input), 1 for any other failure (a sink gave up, the database failed, damaged data).
int ExitCode(const Status& status);

}  // namespace sqlite_cdc::cli
