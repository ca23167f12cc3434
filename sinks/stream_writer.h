#pragma once

#include <cstdio>
#include <string>

#include "sqlite_cdc/changes_handler.h"

namespace sqlite_cdc::sinks {

// Writes a whole batch to a stdio stream and flushes it, so that success means the bytes reached
// the file or pipe. A closed pipe or full disk is fatal: retrying cannot help.
HandlerResult WriteAndFlush(std::FILE* stream, const std::string& text);

}  // namespace sqlite_cdc::sinks
