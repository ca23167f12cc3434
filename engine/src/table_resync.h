#pragma once

#include <string>
#include <vector>

#include "database.h"
#include "schema/trigger_sql.h"
#include "table_health.h"

namespace sqlite_cdc::internal {

// What bringing one watched table's triggers up to date did.
struct TableResync {
  std::string table;                  // the table's name now: the new name after a rename; empty if dropped
  bool changed = false;               // triggers were installed or replaced
  std::vector<std::string> warnings;  // one line each, for a person: what the log holds or misses
};

// Re-installs the triggers of the watched table `name` as `health` (judged inside the same
// transaction) calls for: on the table for kOutdated and kMissing, on its new name for kRenamed
// (dropping the triggers still named after the old one); nothing for kMatch and kDropped. The
// warnings say which log ids hold images from before the change, or that changes were not captured,
// and how to re-send the table's rows. REQUIRES: inside a write transaction.
TableResync ResyncTable(Database& db, const std::string& name, const TableHealth& health,
                        const schema::TriggerOptions& options);

}  // namespace sqlite_cdc::internal
