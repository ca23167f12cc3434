#include "sinks/s3/s3_archive_reader.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <thread>
#include <tuple>
#include <vector>

#include "sinks/s3/archive_layout.h"
#include "sinks/s3/gzip.h"

namespace sqlite_cdc::sinks {
namespace {

constexpr int kAttempts = 6;

std::string Names(int64_t first, int64_t last) {
  return first == last ? "log id " + std::to_string(first)
                       : "log ids " + std::to_string(first) + ".." + std::to_string(last);
}

// A read that failed for good: the store stayed unreachable (kUnavailable), a listed object is gone
// (the archive is damaged), or the store refused it.
Status GaveUp(const S3Outcome& outcome, int attempts) {
  switch (outcome.kind) {
    case S3Outcome::Kind::kRetry:
      return Status::Unavailable(outcome.message + " (gave up after " + std::to_string(attempts) + " attempts)");
    case S3Outcome::Kind::kNotFound:
      return Status::Corruption(outcome.message + ": the archive lists an object it does not hold");
    default:
      return Status::HandlerFailed(outcome.message);
  }
}

// Reads are retried here (restore has no engine around it) with a short exponential backoff.
Status WithRetries(const std::function<S3Outcome()>& request) {
  for (int attempt = 1;; ++attempt) {
    const S3Outcome outcome = request();
    if (outcome.ok()) return Status::Ok();
    if (outcome.kind != S3Outcome::Kind::kRetry || attempt == kAttempts) return GaveUp(outcome, attempt);
    std::this_thread::sleep_for(std::chrono::milliseconds(100 << attempt));
  }
}

// Whether a change object holds exactly the ids its name says, in order: what a restore checks
// before it applies one.
bool HoldsTheIdsItsNameSays(const Changes& events, int64_t first, int64_t last) {
  if (events.empty() || events.front().id != first || events.back().id != last) return false;
  if (events.back().id - events.front().id + 1 != static_cast<int64_t>(events.size())) return false;
  for (size_t i = 1; i < events.size(); ++i) {
    if (events[i].id != events[i - 1].id + 1) return false;
  }
  return true;
}

}  // namespace

S3ArchiveReader::S3ArchiveReader(std::unique_ptr<S3Client> client, RestorePoint point)
    : client_(std::move(client)), point_(point) {}

Status S3ArchiveReader::Fetch(const std::string& key, std::string* body) {
  return WithRetries([&] { return client_->Get(key, body); });
}

Status S3ArchiveReader::FetchIfThere(const std::string& key, std::string* body, bool* gone) {
  *gone = false;
  return WithRetries([&] {
    S3Outcome outcome = client_->Get(key, body);
    if (outcome.kind == S3Outcome::Kind::kNotFound) *gone = true, outcome = {};
    return outcome;
  });
}

Status S3ArchiveReader::FetchEvents(const std::string& key, Changes* batch) {
  std::string compressed;
  if (Status status = Fetch(key, &compressed); !status.ok()) return status;
  return ParseEvents(key, compressed, batch);
}

Status S3ArchiveReader::ParseEvents(const std::string& key, const std::string& compressed, Changes* batch) {
  const auto text = Gunzip(compressed);
  if (!text || !ParseEventLines(*text, batch)) {
    return Status::Corruption("archive object " + key + " is damaged (not gzipped change events)");
  }
  return Status::Ok();
}

Status S3ArchiveReader::FetchObject(const ChangesObject& object, Changes* events, bool* gone) {
  std::string compressed;
  bool missing = false;
  if (Status status = gone ? FetchIfThere(object.key, &compressed, &missing) : Fetch(object.key, &compressed);
      !status.ok()) {
    return status;
  }
  if (missing) {
    *gone = true;
    return Status::Ok();
  }
  if (Status status = ParseEvents(object.key, compressed, events); !status.ok()) return status;
  if (!HoldsTheIdsItsNameSays(*events, object.first_id, object.last_id)) {
    return Status::Corruption("archive object " + object.key + " does not hold the ids its name says");
  }
  return Status::Ok();
}

Status S3ArchiveReader::Schema(WatchedSchema* schema) { return Plan(schema); }

Status S3ArchiveReader::Plan(WatchedSchema* schema) {
  Listing listing;
  if (Status status = List(&listing); !status.ok()) return status;
  if (listing.schemas.empty()) {
    return Status::NotFound("no archive at " + client_->location().Display() + " (no schema/ objects under it)");
  }
  if (Status status = ChooseSnapshot(listing); !status.ok()) return status;
  objects_ = std::move(listing.changes);
  std::sort(objects_.begin(), objects_.end(), [](const ChangesObject& a, const ChangesObject& b) {
    return std::tie(a.first_id, a.last_id) < std::tie(b.first_id, b.last_id);
  });
  return ChooseSchema(listing.schemas, schema);
}

// Every object under the prefix, sorted into its kind by its name; other names are ignored.
Status S3ArchiveReader::List(Listing* listing) {
  const S3Location& location = client_->location();
  const std::string root = location.prefix.empty() ? "" : location.prefix + "/";
  std::vector<std::string> keys;
  if (Status status = WithRetries([&] { return client_->List(root, &keys); }); !status.ok()) return status;
  for (const std::string& key : keys) {
    const std::string name = key.substr(root.size());
    if (const auto range = ParseChangesObjectName(name)) {
      listing->changes.push_back({key, range->first, range->second});
    } else if (const auto position = ParseSchemaObjectName(name)) {
      listing->schemas[*position] = key;
    } else if (const auto run = ParseSnapshotManifestName(name)) {
      listing->manifests[*run] = key;
    } else if (name.rfind("snapshots/", 0) == 0 && name.find("/part-") != std::string::npos) {
      listing->parts[name.substr(10, name.find('/', 10) - 10)].push_back(key);
    }
  }
  return Status::Ok();
}

// The newest whole snapshot at or before the point: its parts are read first, and the changes
// start after its log position. Without one, the changes start at log id 1. A manifest gone since
// the listing (a retention pass deleting an older snapshot meanwhile), one that cannot be read (a
// store that kept part of an upload cut short) and a snapshot missing parts are passed over, with a
// warning for the last two; an older whole snapshot serves instead (the gap check refuses where the
// changes it needs are gone), never none at all.
Status S3ArchiveReader::ChooseSnapshot(const Listing& listing) {
  std::vector<std::pair<std::string, SnapshotManifest>> candidates;
  std::vector<std::string> damaged;  // manifests that cannot be read
  for (const auto& [run, key] : listing.manifests) {
    std::string text;
    bool gone = false;
    if (Status status = FetchIfThere(key, &text, &gone); !status.ok()) return status;
    if (gone) continue;
    SnapshotManifest manifest;
    if (!ParseManifestJson(text, &manifest)) {
      spdlog::warn("restore: passing over snapshot {}: its manifest {} is damaged", run, key);
      damaged.push_back(key);
      continue;
    }
    if (point_.id && manifest.log_position > *point_.id) continue;
    const auto taken = ParseRfc3339Millis(manifest.taken_at);
    if (point_.timestamp_ms && (!taken || *taken > *point_.timestamp_ms)) continue;
    candidates.emplace_back(run, manifest);
  }
  // Newest first: the highest log position, the later run on a tie.
  std::sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) {
    return std::tie(a.second.log_position, a.first) > std::tie(b.second.log_position, b.first);
  });
  std::string passed_over;  // why the newest snapshot passed over was, for the refusal below
  for (const auto& [run, manifest] : candidates) {
    std::vector<std::string> parts;
    if (const auto found = listing.parts.find(run); found != listing.parts.end()) parts = found->second;
    if (static_cast<int>(parts.size()) != manifest.parts) {
      spdlog::warn("restore: passing over snapshot {}: it has {} of its {} parts", run, parts.size(), manifest.parts);
      if (passed_over.empty()) {
        passed_over = "snapshot " + run + " has " + std::to_string(parts.size()) + " of its " +
                      std::to_string(manifest.parts) + " parts";
      }
      continue;
    }
    snapshot_parts_ = std::move(parts);
    std::sort(snapshot_parts_.begin(), snapshot_parts_.end());
    next_id_ = manifest.log_position + 1;
    starting_point_ = "snapshot " + run + " (" + std::to_string(manifest.rows) + " rows, log id " +
                      std::to_string(manifest.log_position) + ")";
    return Status::Ok();
  }
  // Without any snapshot the changes from log id 1 are the whole story only if no snapshot was
  // meant to be there: rows written before the first one would be missing, and nothing else tells.
  if (!passed_over.empty() || !damaged.empty()) {
    return Status::Corruption(
        (passed_over.empty() ? "archive object " + damaged.front() + " is damaged" : passed_over) +
        " and no older whole snapshot serves the point: the archive is incomplete");
  }
  starting_point_ = "no snapshot: from log id 1";
  return Status::Ok();
}

// The schema in effect at the point: the newest stored at or before it, else the oldest. One gone
// since the listing was deleted by a retention pass, as superseded by a later one.
Status S3ArchiveReader::ChooseSchema(const std::map<int64_t, std::string>& schemas, WatchedSchema* schema) {
  bool have_schema = false;
  for (const auto& [position, key] : schemas) {
    if (point_.id && position > *point_.id && have_schema) break;
    std::string text, stored_at;
    WatchedSchema candidate;
    bool gone = false;
    if (Status status = FetchIfThere(key, &text, &gone); !status.ok()) return status;
    if (gone) continue;
    if (!ParseSchemaJson(text, &candidate, &stored_at)) {
      return Status::Corruption("archive object " + key + " is damaged");
    }
    const auto stored = ParseRfc3339Millis(stored_at);
    if (have_schema && point_.timestamp_ms && stored && *stored > *point_.timestamp_ms) break;
    *schema = std::move(candidate);
    have_schema = true;
  }
  return Status::Ok();
}

Status S3ArchiveReader::Describe(ArchiveInventory* inventory, bool verify) {
  const S3Location& location = client_->location();
  const std::string root = location.prefix.empty() ? "" : location.prefix + "/";
  std::vector<S3Object> listed;
  if (Status status = WithRetries([&] { return client_->List(root, &listed); }); !status.ok()) return status;
  *inventory = ArchiveInventory{};
  inventory->location = location.Display();
  std::map<std::string, ArchiveInventory::Snapshot> snapshots;  // by run: runs sort by time
  std::set<std::string> gone_runs;  // manifests deleted since the listing: a retention pass is deleting the run
  std::vector<ChangesObject> changes;
  for (const S3Object& object : listed) {
    const std::string name = object.key.substr(root.size());
    if (const auto range = ParseChangesObjectName(name)) {
      changes.push_back({object.key, range->first, range->second});
      ++inventory->change_objects;
      inventory->change_bytes += object.size;
    } else if (const auto run = ParseSnapshotManifestName(name)) {
      std::string text;
      SnapshotManifest manifest;
      bool gone = false;
      if (Status status = FetchIfThere(object.key, &text, &gone); !status.ok()) return status;
      if (gone) {
        gone_runs.insert(*run);
        continue;
      }
      ArchiveInventory::Snapshot& snapshot = snapshots[*run];
      if (!ParseManifestJson(text, &manifest)) {
        snapshot.damaged = true;  // as restore does: passed over, never the start
        continue;
      }
      snapshot.complete = true;
      snapshot.log_position = manifest.log_position;
      snapshot.rows = manifest.rows;
      snapshot.parts_expected = manifest.parts;
      snapshot.taken_at = manifest.taken_at;
    } else if (name.rfind("snapshots/", 0) == 0 && name.find("/part-") != std::string::npos) {
      const std::string run = name.substr(10, name.find('/', 10) - 10);
      if (gone_runs.count(run)) continue;
      ArchiveInventory::Snapshot& snapshot = snapshots[run];
      ++snapshot.parts;
      snapshot.bytes += object.size;
    }
  }
  for (auto& [run, snapshot] : snapshots) {
    snapshot.run = run;
    inventory->snapshots.push_back(snapshot);
  }
  // What does not read counts as missing, as in a restore. Without `verify` only the objects read
  // for the times below are checked; one found damaged there changes the coverage, so it is
  // computed again until no new damage turns up.
  // Objects deleted since the listing (a retention pass) are left out as if never listed.
  std::set<std::string> damaged, gone;
  if (verify) {
    for (const ChangesObject& object : changes) {
      Changes events;
      bool missing = false;
      Status status = FetchObject(object, &events, &missing);
      if (missing) {
        gone.insert(object.key);
      } else if (status.code() == Status::Code::kCorruption) {
        damaged.insert(object.key);
      } else if (!status.ok()) {
        return status;
      }
    }
  }
  std::map<std::string, Changes> fetched;
  for (;;) {
    const size_t known = damaged.size() + gone.size();
    std::vector<ChangesObject> readable;
    std::vector<ArchiveInventory::IdRange> ranges;
    for (const ChangesObject& object : changes) {
      if (damaged.count(object.key) || gone.count(object.key)) continue;
      readable.push_back(object);
      ranges.push_back({object.first_id, object.last_id});
    }
    ComputeCoverage(ranges, inventory);
    inventory->first_change_time.clear();
    inventory->last_change_time.clear();
    if (!inventory->covered.empty()) {
      for (auto [id, time] : {std::pair{inventory->covered.front().first, &inventory->first_change_time},
                              std::pair{inventory->covered.back().last, &inventory->last_change_time}}) {
        if (Status status = TimeOf(id, readable, &fetched, &damaged, &gone, time); !status.ok()) return status;
      }
    }
    for (ArchiveInventory::Restorable& stretch : inventory->restorable) {
      for (const ArchiveInventory::Snapshot& snapshot : inventory->snapshots) {
        if (snapshot.usable() && snapshot.log_position == stretch.ids.first) stretch.first_time = snapshot.taken_at;
        if (snapshot.usable() && snapshot.log_position == stretch.ids.last) stretch.last_time = snapshot.taken_at;
      }
      if (Status status = TimeOf(stretch.ids.last, readable, &fetched, &damaged, &gone, &stretch.last_time);
          !status.ok()) {
        return status;
      }
    }
    if (damaged.size() + gone.size() == known) break;
  }
  inventory->verified = verify;
  inventory->damaged_objects.assign(damaged.begin(), damaged.end());
  return Status::Ok();
}

Status S3ArchiveReader::TimeOf(int64_t id, const std::vector<ChangesObject>& objects,
                               std::map<std::string, Changes>* fetched, std::set<std::string>* damaged,
                               std::set<std::string>* gone, std::string* time) {
  for (const ChangesObject& object : objects) {
    if (object.first_id > id || id > object.last_id || damaged->count(object.key) || gone->count(object.key)) {
      continue;
    }
    auto [events, first_time] = fetched->try_emplace(object.key);
    if (first_time) {
      bool missing = false;
      Status status = FetchObject(object, &events->second, &missing);
      if (missing) {
        fetched->erase(events);
        gone->insert(object.key);
        continue;
      }
      if (status.code() == Status::Code::kCorruption) {
        fetched->erase(events);
        damaged->insert(object.key);
        continue;  // another object may hold the id
      }
      if (!status.ok()) return status;
    }
    for (const Change& change : events->second) {
      if (change.id == id) *time = change.timestamp;
    }
    return Status::Ok();
  }
  return Status::Ok();
}

bool S3ArchiveReader::CoveredByALaterObject(int64_t id) const {
  return std::any_of(objects_.begin() + static_cast<std::ptrdiff_t>(next_object_), objects_.end(),
                     [&](const ChangesObject& object) { return object.first_id <= id && id <= object.last_id; });
}

Status S3ArchiveReader::Next(Changes* batch) {
  batch->clear();
  if (next_part_ < snapshot_parts_.size()) {
    Status status = FetchEvents(snapshot_parts_[next_part_++], batch);
    for (Change& change : *batch) change.bootstrap = true;
    return status;
  }
  while (next_object_ < objects_.size()) {
    const ChangesObject& object = objects_[next_object_++];
    if (object.last_id < next_id_) continue;  // already applied from an overlapping object
    if (point_.id && object.first_id > *point_.id) break;
    if (object.first_id > next_id_) {
      return Status::Corruption("the archive is missing " + Names(next_id_, object.first_id - 1) +
                                " (an object before " + object.key + " is gone, or the archive began without a " +
                                "snapshot); refusing to restore past the gap");
    }
    Changes events;
    Status status = FetchEvents(object.key, &events);
    if (status.ok()) {
      for (Change& change : events) {
        if (change.id >= next_id_) batch->push_back(std::move(change));
      }
      if (batch->empty() || batch->front().id != next_id_ || batch->back().id != object.last_id ||
          batch->back().id - batch->front().id + 1 != static_cast<int64_t>(batch->size())) {
        status = Status::Corruption("archive object " + object.key + " does not hold the ids its name says");
      }
    }
    if (status.code() == Status::Code::kCorruption && CoveredByALaterObject(next_id_)) {
      // A store that kept part of an upload cut short (s3rver does; S3 does not) leaves a damaged
      // object whose changes the engine sent again after its restart, in objects cut differently.
      spdlog::warn("restore: skipping {}: {}; a later object holds the same changes", object.key, status.message());
      batch->clear();
      continue;
    }
    if (!status.ok()) return status;
    next_id_ = object.last_id + 1;
    return Status::Ok();
  }
  if (point_.id && next_id_ <= *point_.id) {
    return Status::InvalidArgument("the archive ends at log id " + std::to_string(next_id_ - 1) +
                                   ", before the requested " + std::to_string(*point_.id));
  }
  return Status::Ok();
}

}  // namespace sqlite_cdc::sinks
