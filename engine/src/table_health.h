#pragma once

#include <string>
#include <vector>

#include "database.h"
#include "schema/trigger_sql.h"

namespace sqlite_cdc::internal {

// How a watched table's triggers stand against what setup would install for it now.
struct TableHealth {
  enum class State {
    kMatch,      // installed and up to date
    kOutdated,   // installed, but for other columns or options (an ALTER TABLE since)
    kMissing,    // the table exists but carries none of this log's triggers (rebuilt, or dropped by hand)
    kRenamed,    // the table is gone, and its triggers sit on `renamed_to` (ALTER TABLE ... RENAME TO)
    kDropped,    // the table and its triggers are gone
    kOvertaken,  // up to date, but other triggers created after them fire first (`firing_first`)
  };
  State state = State::kMatch;
  std::string renamed_to;
  std::vector<std::string> firing_first;
};

// Judges the watched table `name` (its canonical name as stored). Reads only.
TableHealth CheckTableHealth(Database& db, const std::string& name, const schema::TriggerOptions& options);

// One line for a person: what is wrong with `name` and the fix. Empty for kMatch.
std::string DescribeTableHealth(const std::string& name, const TableHealth& health);

// The log ids of `table`'s changes still in the log, for saying which images predate a trigger
// change: "log ids 4..9 (3 changes)", or "changes up to log id N (none still in the log)".
std::string LoggedRange(Database& db, const schema::LogTableNames& names, const std::string& table);

}  // namespace sqlite_cdc::internal
