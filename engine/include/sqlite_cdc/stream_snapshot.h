#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "sqlite_cdc/change.h"
#include "sqlite_cdc/status.h"

namespace sqlite_cdc {

// A consistent snapshot of the watched tables that the engine took while streaming (see
// ChangesHandler::SnapshotWanted), detached from the database: the engine copied every row in one
// read transaction into a private temporary file, and reading it holds no transaction on the
// database and takes no lock the application could wait for. The file is deleted with the object.
//
// Thread safety: the handler may read it on any one thread at a time, at its own pace, after the
// engine handed it over; it does not use the engine.
class StreamSnapshot {
 public:
  virtual ~StreamSnapshot() = default;

  // The snapshot holds the effect of every change up to this log id, and of none after it.
  virtual int64_t log_position() const = 0;
  // Rows in it, over every watched table.
  virtual int64_t rows() const = 0;
  // When its read transaction ran: RFC 3339 UTC, as the triggers write timestamps.
  virtual const std::string& taken_at() const = 0;
  // Replaces *batch with the next up to `limit` rows, as bootstrap INSERT events (the timestamp of
  // each is taken_at()); empty once every row was read. A failure (the temporary file could not be
  // read) is kDatabaseError.
  virtual Status Next(size_t limit, Changes* batch) = 0;
};

}  // namespace sqlite_cdc
