#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sqlite_cdc::sinks {

// What one listing of an S3 archive found, names relative to its prefix (archive_layout.h), with
// each snapshot's complete.json and each schema object's stored_at already read.
struct ArchiveContents {
  struct Snapshot {
    std::string run;
    bool complete = false;  // its complete.json is there and reads
    // Its complete.json is there but does not read (a store that kept part of an upload a crash cut
    // short): never a base; deleted, complete.json first, like an unfinished snapshot.
    bool damaged_manifest = false;
    int64_t log_position = 0;
    std::string taken_at;  // RFC 3339; complete only
    int parts_expected = 0;
    std::vector<std::string> parts;  // the part objects present
    bool usable() const { return complete && static_cast<int>(parts.size()) == parts_expected; }
  };
  struct ChangesObject {
    std::string name;
    int64_t first_id = 0;
    int64_t last_id = 0;
  };
  struct SchemaObject {
    std::string name;
    int64_t log_position = 0;
    std::string stored_at;  // RFC 3339
  };
  std::vector<Snapshot> snapshots;
  std::vector<ChangesObject> changes;
  std::vector<SchemaObject> schemas;
  // The store's time when it answered the listing (its Date header): the window never starts later
  // than this allows, so a local clock stepped forward deletes nothing early.
  std::optional<int64_t> store_time_ms;
};

// What a retention pass deletes. The base is the newest usable snapshot taken at or before the
// window's start: a restore to any point inside the window starts from it or from a newer one, so
// the base, everything newer and every change after its log position stay. What is older goes.
struct RetentionPlan {
  bool has_base = false;  // false: nothing may go (no usable snapshot is old enough)
  std::string base_run;
  int64_t base_position = 0;
  std::string base_taken_at;
  // In the order to delete them: oldest first, and for each older snapshot the changes only it or
  // an older start could use, then its complete.json, then its parts. A pass cut short at any point
  // leaves the base and what follows it untouched, every older snapshot either whole or without its
  // complete.json (which restore and --list ignore), and the remaining changes one contiguous
  // stretch reaching the base. Unfinished snapshots (no complete.json) older than the base, and
  // schema objects superseded before the base, come last.
  std::vector<std::string> deletions;
  int snapshots_deleted = 0;  // complete ones, and unfinished ones
  int changes_deleted = 0;
  int schemas_deleted = 0;
};

// Pure: decides from a listing, the time now and the window. Objects whose names it does not know,
// and a snapshot whose time cannot be read, are never deleted; an archive without a usable snapshot
// old enough (one written before snapshots were periodic, or without any) loses nothing.
RetentionPlan PlanRetention(const ArchiveContents& contents, std::chrono::system_clock::time_point now,
                            std::chrono::milliseconds window);

}  // namespace sqlite_cdc::sinks
