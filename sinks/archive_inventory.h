#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sqlite_cdc::sinks {

// What a change-log archive holds, as `sqlite-cdc-restore --list` shows it.
struct ArchiveInventory {
  struct Snapshot {
    std::string run;
    bool complete = false;     // its manifest is there and reads: a restore may start from it
    bool damaged = false;      // its manifest is there but does not read: a restore passes over it
    int64_t log_position = 0;  // complete only: it holds every change up to this log id
    int64_t rows = 0;
    int parts = 0;           // part objects present
    int parts_expected = 0;  // complete only: as its manifest says
    uint64_t bytes = 0;      // its part objects' sizes
    std::string taken_at;    // complete only
    bool usable() const { return complete && parts == parts_expected; }
  };
  struct IdRange {
    int64_t first = 0;
    int64_t last = 0;
    bool operator==(const IdRange&) const = default;
  };
  // A stretch of points a restore can reach: from `first` (a snapshot's log position, or 0 for an
  // empty database when the changes start at log id 1) to `last`, every id between included.
  struct Restorable {
    IdRange ids;
    std::string first_time;  // the snapshot's time; empty for an empty database
    std::string last_time;   // the last change's (or the snapshot's, when no change follows it)
  };

  std::string location;             // for display; holds no secret
  std::vector<Snapshot> snapshots;  // in run (time) order
  size_t change_objects = 0;
  uint64_t change_bytes = 0;
  std::vector<IdRange> covered;  // the log ids the change objects hold, as contiguous runs
  std::vector<IdRange> gaps;     // the ids between those runs that no object holds
  std::string first_change_time, last_change_time;
  std::vector<Restorable> restorable;        // in id order, none overlapping
  bool verified = false;                     // every change object was read (--verify)
  std::vector<std::string> damaged_objects;  // change objects found unreadable; left out of `covered`
};

// Fills `covered`, `gaps` and the id ranges of `restorable` from the change objects' id ranges (any
// order, overlaps allowed) and the inventory's snapshots. A restore starts from the newest usable
// snapshot at or before its point (or from an empty database when none is) and needs every id after
// that start up to the point.
void ComputeCoverage(const std::vector<ArchiveInventory::IdRange>& objects, ArchiveInventory* inventory);

// For a person: a few lines, sizes in KiB/MiB. For programs: one JSON object.
std::string InventoryText(const ArchiveInventory& inventory);
std::string InventoryJson(const ArchiveInventory& inventory);

}  // namespace sqlite_cdc::sinks
