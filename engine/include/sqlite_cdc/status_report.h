#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sqlite_cdc/options.h"
#include "sqlite_cdc/status.h"

namespace sqlite_cdc {

// One watched table of a capture.
struct WatchedTableStatus {
  enum class Triggers {
    kMatch,         // installed and what setup generates for the table's current columns
    kOutdated,      // installed for other columns (an ALTER TABLE since): logged in the old shape
    kMissing,       // none: the table was rebuilt or they were dropped, and its changes are NOT captured
    kRenamed,       // the table was renamed to `renamed_to`; its changes are logged under the old name
    kTableDropped,  // the table is gone; its changes already in the log are still delivered
    // Up to date, but triggers of the application's created after them (`firing_first`) fire
    // first: what those write to the table is logged before the change that fired them.
    kOvertaken,
  };
  std::string name;
  // False unless triggers is kMatch. Setup run again, or an engine with resync, re-installs them.
  bool triggers_match = true;
  Triggers triggers = Triggers::kMatch;
  std::string renamed_to;                 // for kRenamed
  std::vector<std::string> firing_first;  // for kOvertaken
};

// A capture's state as one read of its database saw it.
struct CaptureStatus {
  std::string log_table;
  std::vector<WatchedTableStatus> tables;  // in name order
  int64_t backlog = 0;                     // changes in the log, not yet delivered
  // The oldest change in the log; unset when the log is empty.
  std::optional<int64_t> oldest_id;
  std::optional<std::string> oldest_timestamp;  // as the trigger wrote it
  std::optional<double> oldest_age_seconds;     // `now` minus oldest_timestamp
  int64_t last_delivered_id = 0;                // highest id removed from the log after delivery; 0: none yet
  int64_t log_bytes = 0;                        // what the log table takes in the database file
  bool log_bytes_exact = true;                  // counted pages (dbstat); false: estimated from the rows' sizes
  // The capture options the triggers are judged against: those stored at setup, or, for a database
  // set up before they were stored (options_stored false), those given.
  bool options_stored = false;
  bool blobs = false;
  bool subsecond = true;
  bool keep_unchanged_updates = false;
  // Empty when the log's id bookkeeping is consistent; otherwise why an engine refuses to start on
  // it (a last_deleted_id that is not a non-negative integer, or ids in the log at or below it) and
  // what to do, on one line.
  std::string log_state_problem;
};

// Reads the capture's state without changing the database: it is opened read-only, and every
// figure comes from one read transaction. `options` names the log table; the capture options are
// those stored at setup (one given that contradicts them is kInvalidArgument), or, for a database set up
// before they were stored, those given. `options.tables` narrows the report to those tables, each of
// which must be watched. `now` is what the age is measured from. kInvalidArgument when the file is
// missing or not a database, or setup was not run for this log.
Status ReadCaptureStatus(const CaptureOptions& options, CaptureStatus* status,
                         std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace sqlite_cdc
