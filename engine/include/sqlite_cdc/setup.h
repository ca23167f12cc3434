#pragma once

#include <string>
#include <vector>

#include "sqlite_cdc/options.h"
#include "sqlite_cdc/status.h"

namespace sqlite_cdc {

// What a successful setup has to tell a person.
struct SetupReport {
  // One line each: tables keyed by rowid (VACUUM renumbers them), changed capture options, re-installed
  // triggers and the log ids whose images predate the change, tables renamed or dropped since.
  std::vector<std::string> warnings;
};

// Installs the log table, its config table and the triggers of options.tables (every user table
// when empty) and of every table already watched, in one transaction, and puts the database in WAL
// mode. The watched tables and the capture options are stored in the config table: the options
// given replace the stored ones, and every watched table's triggers follow them. Tables renamed
// since are followed, dropped ones forgotten. Idempotent: running it again changes nothing, or brings
// the triggers up to the tables' current columns after an ALTER TABLE. Every check runs before the
// first write. `report`, when given, receives the warnings.
Status Setup(const CaptureOptions& options, SetupReport* report = nullptr);

struct TeardownOptions {
  // Teardown refuses to drop a log that still holds undelivered changes unless this is set.
  bool discard_undelivered = false;
};

// Removes the triggers and the config rows of options.tables (every watched table when empty); the
// log, state and config tables go with the last watched table. A watched table that no longer exists
// may be named to forget it. Nothing that setup did not make is touched.
Status Teardown(const CaptureOptions& options, const TeardownOptions& teardown = {});

}  // namespace sqlite_cdc
