#pragma once

#include <cstdint>
#include <string>

#include "sqlite_cdc/options.h"
#include "sqlite_cdc/status.h"

namespace sqlite_cdc {

// What the log holds that no handler has accepted yet.
struct LogBacklog {
  int64_t rows = 0;
  int64_t oldest_id = 0;         // the oldest undelivered change's; 0 when rows is 0
  std::string oldest_timestamp;  // the oldest undelivered change's, RFC 3339; empty when rows is 0
};

// Opens a read-only connection of its own, so it may run on any thread while an engine drains.
// `delivered_floor`: the last id a running engine reports delivered (EngineObserver); the engine
// removes delivered changes from the log in groups, so the log alone lags behind it.
Status ReadLogBacklog(const CaptureOptions& capture, LogBacklog* backlog, int64_t delivered_floor = 0);

}  // namespace sqlite_cdc
