#include "sinks/archive_inventory.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>

namespace sqlite_cdc::sinks {

namespace {

using IdRange = ArchiveInventory::IdRange;

std::string Size(uint64_t bytes) {
  char text[32];
  if (bytes < 1024) {
    std::snprintf(text, sizeof text, "%llu B", static_cast<unsigned long long>(bytes));
  } else if (bytes < (1u << 20)) {
    std::snprintf(text, sizeof text, "%.1f KiB", static_cast<double>(bytes) / 1024);
  } else {
    std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  }
  return text;
}

std::string Ids(const IdRange& range) {
  return range.first == range.last ? "log id " + std::to_string(range.first)
                                   : "log ids " + std::to_string(range.first) + " to " + std::to_string(range.last);
}

std::string WithTime(const std::string& what, const std::string& time) {
  return time.empty() ? what : what + " (" + time + ")";
}

}  // namespace

void ComputeCoverage(const std::vector<IdRange>& objects, ArchiveInventory* inventory) {
  std::vector<IdRange> sorted = objects;
  std::sort(sorted.begin(), sorted.end(), [](const IdRange& a, const IdRange& b) { return a.first < b.first; });
  inventory->covered.clear();
  inventory->gaps.clear();
  for (const IdRange& range : sorted) {
    if (!inventory->covered.empty() && range.first <= inventory->covered.back().last + 1) {
      inventory->covered.back().last = std::max(inventory->covered.back().last, range.last);
      continue;
    }
    if (!inventory->covered.empty()) inventory->gaps.push_back({inventory->covered.back().last + 1, range.first - 1});
    inventory->covered.push_back(range);
  }
  // The last id reachable from a start: the end of the run that holds the id after it.
  const auto reach = [&](int64_t start) {
    for (const IdRange& run : inventory->covered) {
      if (run.first <= start + 1 && start + 1 <= run.last) return run.last;
    }
    return start;
  };
  // Restore starts from the newest usable snapshot at or before its point, passing over one missing
  // parts; only where none is there does it start from an empty database, and it refuses to when a
  // snapshot was meant to serve the point (one missing parts at or before it, or any whose manifest
  // does not read): rows written before it would be missing, and nothing else tells.
  std::vector<IdRange> starts;
  bool damaged = false;
  int64_t empty_start_ends = std::numeric_limits<int64_t>::max();
  for (const auto& snapshot : inventory->snapshots) {
    damaged |= snapshot.damaged;
    if (snapshot.usable()) starts.push_back({snapshot.log_position, reach(snapshot.log_position)});
    if (snapshot.complete && !snapshot.usable())
      empty_start_ends = std::min(empty_start_ends, snapshot.log_position - 1);
  }
  if (!inventory->covered.empty() && inventory->covered.front().first == 1 && !damaged && empty_start_ends >= 0) {
    starts.push_back({0, std::min(reach(0), empty_start_ends)});
  }
  std::sort(starts.begin(), starts.end(), [](const IdRange& a, const IdRange& b) { return a.first < b.first; });
  inventory->restorable.clear();
  for (const IdRange& range : starts) {
    if (!inventory->restorable.empty() && range.first <= inventory->restorable.back().ids.last + 1) {
      inventory->restorable.back().ids.last = std::max(inventory->restorable.back().ids.last, range.last);
    } else {
      inventory->restorable.push_back({range, "", ""});
    }
  }
}

std::string InventoryText(const ArchiveInventory& inventory) {
  std::string text = "archive: " + inventory.location + "\n";
  size_t complete = 0, damaged = 0;
  for (const auto& snapshot : inventory.snapshots) {
    complete += snapshot.complete ? 1 : 0;
    damaged += snapshot.damaged ? 1 : 0;
  }
  text += "snapshots: " + std::to_string(complete) + " complete";
  if (complete + damaged < inventory.snapshots.size()) {
    text += ", " + std::to_string(inventory.snapshots.size() - complete - damaged) + " unfinished";
  }
  if (damaged > 0) text += ", " + std::to_string(damaged) + " damaged";
  text += "\n";
  for (const auto& snapshot : inventory.snapshots) {
    text += "  " + snapshot.run + ": ";
    if (snapshot.damaged) {
      text += "DAMAGED (its complete.json does not read; " + std::to_string(snapshot.parts) + " parts, " +
              Size(snapshot.bytes) + "): a restore never starts from it\n";
      continue;
    }
    if (!snapshot.complete) {
      text += "UNFINISHED (no complete.json; " + std::to_string(snapshot.parts) + " parts, " + Size(snapshot.bytes) +
              "): a restore never starts from it\n";
      continue;
    }
    text += "log id " + std::to_string(snapshot.log_position) + ", " + std::to_string(snapshot.rows) + " rows, " +
            std::to_string(snapshot.parts) + " parts, " + Size(snapshot.bytes) + ", taken " + snapshot.taken_at;
    if (!snapshot.usable()) {
      text += "; MISSING " + std::to_string(snapshot.parts_expected - snapshot.parts) + " of its " +
              std::to_string(snapshot.parts_expected) + " parts: a restore cannot start from it";
    }
    text += "\n";
  }
  text += "changes: " + std::to_string(inventory.change_objects) + " objects, " + Size(inventory.change_bytes);
  if (!inventory.covered.empty()) {
    text += ", " + WithTime(Ids({inventory.covered.front().first, inventory.covered.back().last}),
                            inventory.first_change_time.empty()
                                ? ""
                                : inventory.first_change_time + " to " + inventory.last_change_time);
  }
  text += inventory.verified ? " (every object read)" : "";
  if (!inventory.damaged_objects.empty()) {
    text += "\ndamaged: " + std::to_string(inventory.damaged_objects.size()) +
            " change objects do not read, counted as missing:";
    for (const std::string& key : inventory.damaged_objects) text += " " + key;
  }
  text += "\ngaps: ";
  if (inventory.gaps.empty()) text += "none";
  for (size_t i = 0; i < inventory.gaps.size(); ++i) text += (i ? ", " : "") + Ids(inventory.gaps[i]);
  if (!inventory.gaps.empty()) text += " (no readable object holds them: a restore cannot pass them)";
  text += "\nrestorable: ";
  if (inventory.restorable.empty()) text += "nothing (no usable snapshot, and the changes do not start at log id 1)";
  for (size_t i = 0; i < inventory.restorable.size(); ++i) {
    const auto& stretch = inventory.restorable[i];
    const bool empty_start = stretch.ids.first == 0 && stretch.first_time.empty();
    const std::string from =
        empty_start ? "an empty database (log id 0)" : "log id " + std::to_string(stretch.ids.first);
    text += (i ? "; " : "") + WithTime(from, stretch.first_time) + " to " +
            WithTime("log id " + std::to_string(stretch.ids.last), stretch.last_time);
  }
  return text + "\n";
}

std::string InventoryJson(const ArchiveInventory& inventory) {
  nlohmann::json out;
  out["archive"] = inventory.location;
  out["snapshots"] = nlohmann::json::array();
  for (const auto& snapshot : inventory.snapshots) {
    nlohmann::json entry{{"run", snapshot.run},     {"complete", snapshot.complete}, {"damaged", snapshot.damaged},
                         {"parts", snapshot.parts}, {"bytes", snapshot.bytes},       {"usable", snapshot.usable()}};
    if (snapshot.complete) {
      entry["log_position"] = snapshot.log_position;
      entry["rows"] = snapshot.rows;
      entry["parts_expected"] = snapshot.parts_expected;
      entry["taken_at"] = snapshot.taken_at;
    }
    out["snapshots"].push_back(entry);
  }
  nlohmann::json changes{{"objects", inventory.change_objects}, {"bytes", inventory.change_bytes}};
  if (!inventory.covered.empty()) {
    changes["first_id"] = inventory.covered.front().first;
    changes["last_id"] = inventory.covered.back().last;
    changes["first_time"] = inventory.first_change_time;
    changes["last_time"] = inventory.last_change_time;
  }
  changes["verified"] = inventory.verified;
  changes["damaged_objects"] = inventory.damaged_objects;
  out["changes"] = changes;
  out["gaps"] = nlohmann::json::array();
  for (const IdRange& gap : inventory.gaps) out["gaps"].push_back({{"first_id", gap.first}, {"last_id", gap.last}});
  out["restorable"] = nlohmann::json::array();
  for (const auto& stretch : inventory.restorable) {
    out["restorable"].push_back({{"first_id", stretch.ids.first},
                                 {"first_time", stretch.first_time},
                                 {"last_id", stretch.ids.last},
                                 {"last_time", stretch.last_time}});
  }
  return out.dump();
}

}  // namespace sqlite_cdc::sinks
