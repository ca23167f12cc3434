#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sqlite_cdc/change.h"
#include "sqlite_cdc/status.h"
#include "sqlite_cdc/watched_schema.h"

namespace sqlite_cdc {

// Milliseconds since the Unix epoch of an RFC 3339 time ("2026-11-22T10:00:00Z",
// "2026-11-22T10:00:00.123+01:00"); nullopt when malformed.
std::optional<int64_t> ParseRfc3339Millis(const std::string& text);

// How far to restore: every change up to and including log id `id`, or every change whose
// timestamp is at or before `timestamp_ms`; neither means everything the archive holds.
struct RestorePoint {
  std::optional<int64_t> id;
  std::optional<int64_t> timestamp_ms;

  // False for the first change past the point; the restore stops there.
  bool Includes(const Change& change) const;
};

// What a restore reads from an archive, in the order it must be applied.
class RestoreSource {
 public:
  virtual ~RestoreSource() = default;
  // The table definitions to create.
  virtual Status Schema(WatchedSchema* schema) = 0;
  // Replaces `batch` with the next changes in order (snapshot rows first, as bootstrap inserts;
  // then log changes, each id once); empty at the end. Fails when the archive has a gap.
  virtual Status Next(Changes* batch) = 0;
};

struct RestoreReport {
  int64_t snapshot_rows = 0;
  int64_t changes_applied = 0;
  int64_t last_id = 0;                 // of the last change applied; 0 if none
  std::string last_timestamp;          // of the last change applied
  int64_t skipped_unknown_tables = 0;  // changes of tables the schema does not define
};

// Builds a new database at `db_path` (refusing an existing file) from `source`, up to `point`.
// On failure the half-built file is removed.
Status Restore(const std::string& db_path, RestoreSource& source, const RestorePoint& point, RestoreReport* report);

}  // namespace sqlite_cdc
