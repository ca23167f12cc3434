#pragma once

#include "sqlite_cdc/options.h"
#include "sqlite_cdc/status.h"

namespace sqlite_cdc {

// Installs the log table and the triggers of options.tables (every user table when empty), in one
// transaction, and puts the database in WAL mode. Idempotent: running it again changes nothing, or
// brings the triggers up to the tables' current columns after an ALTER TABLE.
Status Setup(const CaptureOptions& options);

struct TeardownOptions {
  // Teardown refuses to drop a log that still holds undelivered changes unless this is set.
  bool discard_undelivered = false;
};

// Removes the triggers of options.tables (every watched table when empty); the log table goes with
// the last watched table. Nothing that setup did not make is touched.
Status Teardown(const CaptureOptions& options, const TeardownOptions& teardown = {});

}  // namespace sqlite_cdc
