// What `sqlite-cdc-restore --list` makes of an archive's objects: covered ids, gaps, and the
// stretches of points a restore can reach from each usable snapshot.
#include "sinks/archive_inventory.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace sqlite_cdc::sinks {
namespace {

using IdRange = ArchiveInventory::IdRange;

ArchiveInventory::Snapshot Snapshot(const std::string& run, int64_t position, bool complete = true, int parts = 1) {
  ArchiveInventory::Snapshot snapshot;
  snapshot.run = run;
  snapshot.complete = complete;
  snapshot.log_position = complete ? position : 0;
  snapshot.rows = 10;
  snapshot.parts = parts;
  snapshot.parts_expected = complete ? 1 : 0;
  snapshot.bytes = 2048;
  snapshot.taken_at = complete ? "2026-11-30T10:00:00.000Z" : "";
  return snapshot;
}

std::vector<IdRange> Stretches(const ArchiveInventory& inventory) {
  std::vector<IdRange> ids;
  for (const auto& stretch : inventory.restorable) ids.push_back(stretch.ids);
  return ids;
}

TEST(ArchiveInventoryTest, OverlappingObjectsMergeAndMissingIdsAreGaps) {
  ArchiveInventory inventory;
  ComputeCoverage({{8, 12}, {1, 7}, {5, 9}, {20, 25}, {13, 14}}, &inventory);
  EXPECT_EQ(inventory.covered, (std::vector<IdRange>{{1, 14}, {20, 25}}));
  EXPECT_EQ(inventory.gaps, (std::vector<IdRange>{{15, 19}}));
  EXPECT_EQ(Stretches(inventory), (std::vector<IdRange>{{0, 14}})) << "from an empty database, up to the gap";
}

TEST(ArchiveInventoryTest, ASnapshotAfterAGapReachesPastIt) {
  ArchiveInventory inventory;
  inventory.snapshots = {Snapshot("a", 17)};
  ComputeCoverage({{1, 14}, {18, 25}}, &inventory);
  EXPECT_EQ(Stretches(inventory), (std::vector<IdRange>{{0, 14}, {17, 25}}));
}

TEST(ArchiveInventoryTest, UnfinishedOrIncompleteSnapshotsAreNoStart) {
  ArchiveInventory inventory;
  inventory.snapshots = {Snapshot("a", 0, /*complete=*/false), Snapshot("b", 30, true, /*parts=*/0)};
  ComputeCoverage({{31, 40}}, &inventory);
  EXPECT_TRUE(inventory.restorable.empty()) << "changes from 31 need the snapshot at 30, which lost its part";
}

TEST(ArchiveInventoryTest, TextNamesEverySnapshotTheChangesTheGapsAndTheReach) {
  ArchiveInventory inventory;
  inventory.location = "s3://bucket/app";
  inventory.snapshots = {Snapshot("20261130T100000Z", 4), Snapshot("20261130T110000Z", 0, false)};
  inventory.change_objects = 3;
  inventory.change_bytes = 3 << 20;
  ComputeCoverage({{1, 10}, {16, 20}}, &inventory);
  inventory.first_change_time = "2026-11-30T09:00:00.000Z";
  inventory.last_change_time = "2026-11-30T12:00:00.000Z";
  inventory.restorable[0].last_time = "2026-11-30T10:30:00.000Z";
  EXPECT_EQ(InventoryText(inventory),
            "archive: s3://bucket/app\n"
            "snapshots: 1 complete, 1 unfinished\n"
            "  20261130T100000Z: log id 4, 10 rows, 1 parts, 2.0 KiB, taken 2026-11-30T10:00:00.000Z\n"
            "  20261130T110000Z: UNFINISHED (no complete.json; 1 parts, 2.0 KiB): a restore never starts from it\n"
            "changes: 3 objects, 3.0 MiB, log ids 1 to 20 (2026-11-30T09:00:00.000Z to 2026-11-30T12:00:00.000Z)\n"
            "gaps: log ids 11 to 15 (no readable object holds them: a restore cannot pass them)\n"
            "restorable: an empty database (log id 0) to log id 10 (2026-11-30T10:30:00.000Z)\n");
  const auto json = nlohmann::json::parse(InventoryJson(inventory));
  EXPECT_EQ(json["gaps"], nlohmann::json::parse(R"([{"first_id":11,"last_id":15}])"));
  EXPECT_EQ(json["restorable"][0]["last_id"], 10);
  EXPECT_EQ(json["snapshots"][1]["usable"], false);
}

// Restore starts from an empty database only where no snapshot was meant to serve the point: not
// at or past a snapshot that lost a part (unless a usable one older serves), never when a manifest
// does not read (its position is unknown).
TEST(ArchiveInventoryTest, AnEmptyStartIsClaimedOnlyWhereRestoreTakesIt) {
  ArchiveInventory lost_part;
  lost_part.snapshots = {Snapshot("b", 30, true, /*parts=*/0)};
  ComputeCoverage({{1, 40}}, &lost_part);
  EXPECT_EQ(Stretches(lost_part), (std::vector<IdRange>{{0, 29}}));

  ArchiveInventory served;
  served.snapshots = {Snapshot("a", 10), Snapshot("b", 30, true, /*parts=*/0)};
  ComputeCoverage({{1, 40}}, &served);
  EXPECT_EQ(Stretches(served), (std::vector<IdRange>{{0, 40}})) << "a from 10 on, b passed over";

  ArchiveInventory damaged;
  damaged.snapshots = {Snapshot("b", 0, /*complete=*/false)};
  damaged.snapshots[0].damaged = true;
  ComputeCoverage({{1, 40}}, &damaged);
  EXPECT_TRUE(damaged.restorable.empty());
}

TEST(ArchiveInventoryTest, DamagedManifestsAndObjectsAreNamedAsSuch) {
  ArchiveInventory inventory;
  inventory.location = "s3://bucket/app";
  ArchiveInventory::Snapshot damaged = Snapshot("20261130T100000Z", 0, false);
  damaged.damaged = true;
  inventory.snapshots = {damaged};
  inventory.change_objects = 2;
  ComputeCoverage({{1, 10}}, &inventory);
  inventory.verified = true;
  inventory.damaged_objects = {"app/changes/x.ndjson.gz"};
  const std::string text = InventoryText(inventory);
  EXPECT_NE(text.find("snapshots: 0 complete, 1 damaged\n"), std::string::npos) << text;
  EXPECT_NE(text.find("20261130T100000Z: DAMAGED (its complete.json does not read; 1 parts"), std::string::npos)
      << text;
  EXPECT_NE(text.find("(every object read)\ndamaged: 1 change objects do not read, counted as missing: "
                      "app/changes/x.ndjson.gz\n"),
            std::string::npos)
      << text;
  const auto json = nlohmann::json::parse(InventoryJson(inventory));
  EXPECT_EQ(json["snapshots"][0]["damaged"], true);
  EXPECT_EQ(json["changes"]["damaged_objects"], nlohmann::json::array({"app/changes/x.ndjson.gz"}));
}

}  // namespace
}  // namespace sqlite_cdc::sinks
