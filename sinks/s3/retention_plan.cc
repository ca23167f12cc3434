#include "sinks/s3/retention_plan.h"

#include <algorithm>
#include <optional>
#include <tuple>

#include "sinks/s3/archive_layout.h"
#include "sqlite_cdc/restore.h"

namespace sqlite_cdc::sinks {
namespace {

using Snapshot = ArchiveContents::Snapshot;

struct Dated {
  const Snapshot* snapshot;
  int64_t taken_ms;
  bool operator<(const Dated& other) const {
    return std::tie(taken_ms, snapshot->log_position, snapshot->run) <
           std::tie(other.taken_ms, other.snapshot->log_position, other.snapshot->run);
  }
};

void DeleteSnapshot(const Snapshot& snapshot, RetentionPlan* plan) {
  // complete.json first: a pass cut short between the two leaves parts that nothing reads (an
  // unfinished snapshot), never a complete.json whose parts are missing, which a restore would pick.
  if (snapshot.complete || snapshot.damaged_manifest) plan->deletions.push_back(SnapshotManifestName(snapshot.run));
  std::vector<std::string> parts = snapshot.parts;
  std::sort(parts.begin(), parts.end());
  plan->deletions.insert(plan->deletions.end(), parts.begin(), parts.end());
  ++plan->snapshots_deleted;
}

}  // namespace

RetentionPlan PlanRetention(const ArchiveContents& contents, std::chrono::system_clock::time_point now,
                            std::chrono::milliseconds window) {
  RetentionPlan plan;
  int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  if (contents.store_time_ms) now_ms = std::min(now_ms, *contents.store_time_ms);
  const int64_t window_start = now_ms - window.count();
  std::vector<Dated> complete;
  for (const Snapshot& snapshot : contents.snapshots) {
    if (!snapshot.complete) continue;
    if (const auto taken = ParseRfc3339Millis(snapshot.taken_at)) complete.push_back({&snapshot, *taken});
  }
  std::sort(complete.begin(), complete.end());
  std::optional<size_t> base;
  for (size_t i = 0; i < complete.size(); ++i) {
    if (complete[i].snapshot->usable() && complete[i].taken_ms <= window_start) base = i;
  }
  if (!base) return plan;
  const Snapshot& kept = *complete[*base].snapshot;
  plan.has_base = true;
  plan.base_run = kept.run;
  plan.base_position = kept.log_position;
  plan.base_taken_at = kept.taken_at;

  std::vector<ArchiveContents::ChangesObject> changes = contents.changes;
  std::sort(changes.begin(), changes.end(), [](const auto& a, const auto& b) {
    return std::tie(a.last_id, a.first_id, a.name) < std::tie(b.last_id, b.first_id, b.name);
  });
  size_t next_change = 0;
  // The changes that only a start at or before `position` could use, oldest first.
  const auto delete_changes_through = [&](int64_t position) {
    position = std::min(position, kept.log_position);
    for (; next_change < changes.size() && changes[next_change].last_id <= position; ++next_change) {
      plan.deletions.push_back(changes[next_change].name);
      ++plan.changes_deleted;
    }
  };
  for (size_t i = 0; i < *base; ++i) {
    delete_changes_through(complete[i].snapshot->log_position);
    DeleteSnapshot(*complete[i].snapshot, &plan);
  }
  delete_changes_through(kept.log_position);

  // Unfinished snapshots named before the base began (and those whose complete.json is damaged): a
  // crash or a stop cut them short, and nothing is still writing them (one engine per log, and the
  // base was complete when they were listed).
  for (const Snapshot& snapshot : contents.snapshots) {
    if (!snapshot.complete && snapshot.run < kept.run) DeleteSnapshot(snapshot, &plan);
  }

  // Restore takes the schema stored last at or before its point: keep the newest one at or before
  // the base (by log position and by time) and every later one.
  std::vector<ArchiveContents::SchemaObject> schemas = contents.schemas;
  std::sort(schemas.begin(), schemas.end(),
            [](const auto& a, const auto& b) { return a.log_position < b.log_position; });
  const int64_t base_taken = complete[*base].taken_ms;
  std::optional<size_t> in_effect;
  for (size_t i = 0; i < schemas.size(); ++i) {
    const auto stored = ParseRfc3339Millis(schemas[i].stored_at);
    if (schemas[i].log_position <= kept.log_position && stored && *stored <= base_taken) in_effect = i;
  }
  if (in_effect) {
    for (size_t i = 0; i < *in_effect; ++i) {
      plan.deletions.push_back(schemas[i].name);
      ++plan.schemas_deleted;
    }
  }
  return plan;
}

}  // namespace sqlite_cdc::sinks
