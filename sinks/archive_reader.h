#pragma once

#include <string>

#include "sinks/archive_inventory.h"
#include "sqlite_cdc/restore.h"

namespace sqlite_cdc::sinks {

// A change-log archive read back for a restore: what Restore() reads, plus what the reader chose to
// start from, for the report.
class ArchiveReader : public RestoreSource {
 public:
  // After Schema(): the snapshot the restore starts from, or that there is none ("no snapshot: ...").
  virtual const std::string& starting_point() const = 0;
  // What the archive holds, restoring nothing: its snapshots, the log ids its change objects cover
  // and the gaps between them, the stretches of points a restore can reach (`sqlite-cdc-restore
  // --list`). The restore point plays no part. A change object whose content does not read counts
  // as missing (its ids are a gap unless another object holds them); `verify` reads every change
  // object to find them all, else only those read for the times shown are checked.
  virtual Status Describe(ArchiveInventory* inventory, bool verify) = 0;
};

}  // namespace sqlite_cdc::sinks
