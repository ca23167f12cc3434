// What a retention pass deletes from an S3 archive, decided from a listing, a time and a window:
// exactly what no restore inside the window needs, in an order that a pass cut short anywhere
// leaves the window restorable.
#include "sinks/s3/retention_plan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "sinks/archive_inventory.h"
#include "sinks/s3/archive_layout.h"
#include "sqlite_cdc/restore.h"

namespace sqlite_cdc::sinks {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;

std::chrono::system_clock::time_point At(const std::string& time) {
  return std::chrono::system_clock::time_point(milliseconds(*ParseRfc3339Millis(time)));
}

// A snapshot taken at 2026-11-30T<hh:mm>, holding the log up to `position`, in `parts` parts.
ArchiveContents::Snapshot Snapshot(const std::string& hhmm, int64_t position, int parts = 2) {
  ArchiveContents::Snapshot snapshot;
  snapshot.run = "20261130T" + hhmm.substr(0, 2) + hhmm.substr(3, 2) + "00Z-0000abcd";
  snapshot.complete = true;
  snapshot.log_position = position;
  snapshot.taken_at = "2026-11-30T" + hhmm + ":00.000Z";
  snapshot.parts_expected = parts;
  for (int part = 1; part <= parts; ++part) snapshot.parts.push_back(SnapshotPartName(snapshot.run, part));
  return snapshot;
}

ArchiveContents::SchemaObject Schema(int64_t position, const std::string& hhmm) {
  return {SchemaObjectName(position), position, "2026-11-30T" + hhmm + ":00Z"};
}

// Change objects of `size` ids each, from 1 to `last`.
std::vector<ArchiveContents::ChangesObject> Changes(int64_t last, int64_t size) {
  std::vector<ArchiveContents::ChangesObject> objects;
  for (int64_t first = 1; first <= last; first += size) {
    const int64_t end = std::min(last, first + size - 1);
    objects.push_back({ChangesObjectName(first, end), first, end});
  }
  return objects;
}

// Snapshots at 09:00 (log id 10), 10:00 (20), 11:30 (30); changes 1..40, ten ids per object.
ArchiveContents ThreeSnapshots() {
  ArchiveContents contents;
  contents.snapshots = {Snapshot("09:00", 10), Snapshot("10:00", 20), Snapshot("11:30", 30)};
  contents.changes = Changes(40, 5);
  contents.schemas = {Schema(0, "08:59"), Schema(10, "09:00"), Schema(20, "10:00"), Schema(35, "11:45")};
  return contents;
}

// The archive without the deleted objects, as `--list` would describe it.
ArchiveInventory Remaining(const ArchiveContents& contents, const std::vector<std::string>& deleted) {
  const std::set<std::string> gone(deleted.begin(), deleted.end());
  ArchiveInventory inventory;
  for (const auto& snapshot : contents.snapshots) {
    ArchiveInventory::Snapshot listed;
    listed.run = snapshot.run;
    listed.complete = snapshot.complete && !gone.count(SnapshotManifestName(snapshot.run));
    listed.log_position = snapshot.log_position;
    listed.parts_expected = snapshot.parts_expected;
    for (const auto& part : snapshot.parts) listed.parts += gone.count(part) ? 0 : 1;
    if (listed.complete || listed.parts > 0) inventory.snapshots.push_back(listed);
  }
  std::vector<ArchiveInventory::IdRange> ranges;
  for (const auto& object : contents.changes) {
    if (!gone.count(object.name)) ranges.push_back({object.first_id, object.last_id});
  }
  ComputeCoverage(ranges, &inventory);
  return inventory;
}

// The local clock stepped forward two days (a VM resumed, a bad NTP step): the store's clock, from
// the times it gave the objects, still says 12:00, and the window is measured from that.
TEST(RetentionPlanTest, ALocalClockAheadOfTheStoresDeletesNothingTheStoresTimeStillNeeds) {
  ArchiveContents contents = ThreeSnapshots();
  contents.store_time_ms = *ParseRfc3339Millis("2026-11-30T12:00:00Z");
  const RetentionPlan plan = PlanRetention(contents, At("2026-12-02T12:00:00Z"), hours(1));
  ASSERT_TRUE(plan.has_base);
  EXPECT_EQ(plan.base_run, contents.snapshots[1].run) << "as at 12:00 by the store's clock";
  contents.store_time_ms.reset();
  EXPECT_EQ(PlanRetention(contents, At("2026-12-02T12:00:00Z"), hours(1)).base_run, contents.snapshots[2].run)
      << "without the store's time the local clock decides";
}

TEST(RetentionPlanTest, KeepsTheNewestSnapshotAtOrBeforeTheWindowsStartAndEverythingAfterIt) {
  const ArchiveContents contents = ThreeSnapshots();
  const RetentionPlan plan = PlanRetention(contents, At("2026-11-30T12:00:00Z"), hours(1));  // from 11:00
  ASSERT_TRUE(plan.has_base);
  EXPECT_EQ(plan.base_run, contents.snapshots[1].run);
  EXPECT_EQ(plan.base_position, 20);
  const std::vector<std::string> expected{ChangesObjectName(1, 5),
                                          ChangesObjectName(6, 10),
                                          SnapshotManifestName(contents.snapshots[0].run),
                                          contents.snapshots[0].parts[0],
                                          contents.snapshots[0].parts[1],
                                          ChangesObjectName(11, 15),
                                          ChangesObjectName(16, 20),
                                          SchemaObjectName(0),
                                          SchemaObjectName(10)};
  EXPECT_EQ(plan.deletions, expected);
  EXPECT_EQ(plan.snapshots_deleted, 1);
  EXPECT_EQ(plan.changes_deleted, 4);
  EXPECT_EQ(plan.schemas_deleted, 2);
}

TEST(RetentionPlanTest, NothingGoesWithoutASnapshotOldEnough) {
  ArchiveContents contents = ThreeSnapshots();
  const RetentionPlan young = PlanRetention(contents, At("2026-11-30T12:00:00Z"), hours(4));  // from 08:00
  EXPECT_FALSE(young.has_base);
  EXPECT_TRUE(young.deletions.empty());

  contents.snapshots.clear();  // an archive of an older version, or one never bootstrapped
  const RetentionPlan none = PlanRetention(contents, At("2026-11-30T23:00:00Z"), hours(1));
  EXPECT_FALSE(none.has_base);
  EXPECT_TRUE(none.deletions.empty()) << "its changes from log id 1 are the only way to restore";
}

TEST(RetentionPlanTest, ASnapshotMissingAPartOrWithoutItsCompleteJsonIsNeverTheBase) {
  ArchiveContents contents = ThreeSnapshots();
  contents.snapshots[1].parts.pop_back();  // 10:00 lost a part: a restore cannot start from it
  const RetentionPlan plan = PlanRetention(contents, At("2026-11-30T12:00:00Z"), hours(1));
  ASSERT_TRUE(plan.has_base);
  EXPECT_EQ(plan.base_position, 10) << "the 09:00 snapshot is the newest usable one";
  EXPECT_EQ(plan.deletions,
            (std::vector<std::string>{ChangesObjectName(1, 5), ChangesObjectName(6, 10), SchemaObjectName(0)}));

  contents.snapshots[0].complete = false;  // 09:00 unfinished too: no base at all
  EXPECT_TRUE(PlanRetention(contents, At("2026-11-30T12:00:00Z"), hours(1)).deletions.empty());
}

TEST(RetentionPlanTest, UnfinishedSnapshotsOlderThanTheBaseGoAndNewerOnesStay) {
  ArchiveContents contents = ThreeSnapshots();
  ArchiveContents::Snapshot old_unfinished = Snapshot("09:30", 0, 1), new_unfinished = Snapshot("11:50", 0, 1);
  old_unfinished.complete = new_unfinished.complete = false;
  contents.snapshots.push_back(old_unfinished);
  contents.snapshots.push_back(new_unfinished);
  const RetentionPlan plan = PlanRetention(contents, At("2026-11-30T12:00:00Z"), hours(1));
  EXPECT_NE(std::find(plan.deletions.begin(), plan.deletions.end(), old_unfinished.parts[0]), plan.deletions.end());
  EXPECT_EQ(std::find(plan.deletions.begin(), plan.deletions.end(), new_unfinished.parts[0]), plan.deletions.end())
      << "it may be the one being written";
  EXPECT_EQ(plan.snapshots_deleted, 2);
}

// A complete.json a crash left half-stored (s3rver keeps such uploads): its run is no base, and
// when older than the base it goes like an unfinished snapshot, complete.json first, then its parts.
TEST(RetentionPlanTest, ASnapshotWhoseCompleteJsonIsDamagedIsNeverTheBaseAndGoesWhenOlder) {
  ArchiveContents contents = ThreeSnapshots();
  contents.snapshots[1].complete = false;  // 10:00's complete.json does not read
  contents.snapshots[1].damaged_manifest = true;
  const RetentionPlan plan = PlanRetention(contents, At("2026-11-30T12:00:00Z"), hours(1));
  EXPECT_EQ(plan.base_run, contents.snapshots[0].run) << "09:00 is the newest usable one before 11:00";
  const auto damaged = contents.snapshots[1];
  for (const std::string& name : plan.deletions) {
    EXPECT_EQ(name.find(damaged.run), std::string::npos) << "newer than the base: " << name;
  }

  const RetentionPlan later = PlanRetention(contents, At("2026-11-30T12:45:00Z"), hours(1));
  ASSERT_EQ(later.base_run, contents.snapshots[2].run);
  const auto at = [&](const std::string& name) {
    return std::find(later.deletions.begin(), later.deletions.end(), name) - later.deletions.begin();
  };
  ASSERT_LT(at(SnapshotManifestName(damaged.run)), static_cast<long>(later.deletions.size()));
  EXPECT_LT(at(SnapshotManifestName(damaged.run)), at(damaged.parts[0]));
  EXPECT_LT(at(damaged.parts[1]), static_cast<long>(later.deletions.size()));
}

TEST(RetentionPlanTest, ObjectsSpanningTheBasesPositionAndUnknownNamesStay) {
  ArchiveContents contents = ThreeSnapshots();
  contents.changes = {{ChangesObjectName(1, 18), 1, 18},
                      {ChangesObjectName(15, 22), 15, 22},
                      {ChangesObjectName(23, 40), 23, 40}};  // re-cut after a failure: overlapping
  const RetentionPlan plan = PlanRetention(contents, At("2026-11-30T12:00:00Z"), hours(1));
  EXPECT_EQ(plan.changes_deleted, 1);
  EXPECT_NE(std::find(plan.deletions.begin(), plan.deletions.end(), ChangesObjectName(1, 18)), plan.deletions.end());
  EXPECT_EQ(std::find(plan.deletions.begin(), plan.deletions.end(), ChangesObjectName(15, 22)), plan.deletions.end())
      << "log ids 21 and 22 are needed after the base at 20";
}

TEST(RetentionPlanTest, ASchemaStoredAfterTheBaseAtItsPositionDoesNotReplaceTheOneInEffect) {
  ArchiveContents contents = ThreeSnapshots();
  // A restart after the 10:00 snapshot with no change since: a schema at log id 20, stored at 10:40.
  contents.schemas = {Schema(0, "08:59"), Schema(10, "09:00"), Schema(20, "10:40")};
  const RetentionPlan plan = PlanRetention(contents, At("2026-11-30T12:00:00Z"), hours(1));
  EXPECT_EQ(plan.schemas_deleted, 1) << "the schema of 09:00 is in effect from 10:00 to 10:40";
  EXPECT_NE(std::find(plan.deletions.begin(), plan.deletions.end(), SchemaObjectName(0)), plan.deletions.end());
}

// A crash may end a pass after any deletion: whatever was deleted by then, the base is usable and
// a restore reaches every id from it to the archive's last, and no snapshot is left with its
// complete.json but without a part (a restore choosing it would fail).
TEST(RetentionPlanTest, EveryPrefixOfThePlanLeavesTheWindowRestorable) {
  ArchiveContents contents = ThreeSnapshots();
  ArchiveContents::Snapshot unfinished = Snapshot("09:30", 0, 1);
  unfinished.complete = false;
  contents.snapshots.push_back(unfinished);
  const RetentionPlan plan = PlanRetention(contents, At("2026-11-30T12:00:00Z"), hours(1));
  ASSERT_FALSE(plan.deletions.empty());
  for (size_t done = 0; done <= plan.deletions.size(); ++done) {
    const std::vector<std::string> deleted(plan.deletions.begin(), plan.deletions.begin() + done);
    const ArchiveInventory inventory = Remaining(contents, deleted);
    bool reaches_from_base = false;
    for (const auto& stretch : inventory.restorable) {
      reaches_from_base |= stretch.ids.first <= plan.base_position && stretch.ids.last == 40;
    }
    EXPECT_TRUE(reaches_from_base) << "after " << done << " deletions";
    for (const auto& snapshot : inventory.snapshots) {
      EXPECT_TRUE(!snapshot.complete || snapshot.usable()) << snapshot.run << " after " << done << " deletions";
    }
    EXPECT_TRUE(inventory.gaps.empty()) << "the remaining changes are one stretch, after " << done;
  }
  const ArchiveInventory after = Remaining(contents, plan.deletions);
  ASSERT_EQ(after.restorable.size(), 1u);
  EXPECT_EQ(after.restorable[0].ids.first, 20);
}

}  // namespace
}  // namespace sqlite_cdc::sinks
