#include "drift_monitor.h"

#include <algorithm>

#include "capture_config.h"
#include "catalog.h"
#include "table_health.h"
#include "table_resync.h"

namespace sqlite_cdc::internal {

DriftMonitor::DriftMonitor(Database& db, std::vector<std::string>& tables, schema::TriggerOptions options, bool resync,
                           InfoLog log)
    : db_(db),
      tables_(tables),
      options_(std::move(options)),
      resync_(resync),
      log_(log),
      read_schema_version_(db, "PRAGMA schema_version") {}

bool DriftMonitor::CheckIfSchemaChanged() {
  const int64_t version = read_schema_version_.QueryInt();
  if (version == schema_version_) return false;
  // A resync changes the schema itself: then the version after it is the one checked. Otherwise the
  // one read before: a change the application commits during the check is checked at the next call.
  schema_version_ = Check() ? read_schema_version_.QueryInt() : version;
  return true;
}

bool DriftMonitor::Check() {
  drifted_.clear();
  bool wrote = false;
  if (resync_) wrote = StoreConfigIfMissing();
  for (size_t i = 0; i < tables_.size(); ++i) {
    const TableHealth health = CheckTableHealth(db_, tables_[i], options_);
    if (health.state == TableHealth::State::kMatch) continue;
    if (health.state == TableHealth::State::kDropped) {
      log_.Warn("{}", DescribeTableHealth(tables_[i], health));
      continue;
    }
    if (!resync_) {
      log_.Warn("{}", DescribeTableHealth(tables_[i], health));
      drifted_.push_back(tables_[i]);
      continue;
    }
    wrote = true;
    Resync(i);
  }
  return wrote;
}

// A database set up before the config was stored: its watched set is what carries our triggers now,
// its options what this engine was given (the triggers are judged against them anyway).
bool DriftMonitor::StoreConfigIfMissing() {
  if (TableExists(db_, options_.names.config)) return false;
  WriteTransaction transaction(db_);
  if (ReadStoredConfig(db_, options_.names)) return false;
  std::vector<std::string> watched = WatchedTables(db_, options_.names);
  watched.insert(watched.end(), tables_.begin(), tables_.end());
  CaptureOptions capture;
  capture.blobs = options_.blobs;
  capture.subsecond = options_.subsecond;
  capture.keep_unchanged_updates = options_.keep_unchanged_updates;
  WriteStoredConfig(db_, options_.names, ConfigOf(capture, std::move(watched)));
  transaction.Commit();
  log_.Info("stored the watched tables and capture options ({}) in {}", DescribeCaptureOptions(capture),
            options_.names.config);
  return true;
}

void DriftMonitor::Resync(size_t index) {
  const std::string name = tables_[index];
  WriteTransaction transaction(db_);
  // Judged again under the write lock: the application may have changed the schema since.
  const TableResync resync = ResyncTable(db_, name, CheckTableHealth(db_, name, options_), options_);
  if (resync.table != name && !resync.table.empty()) {
    if (std::optional<StoredConfig> config = ReadStoredConfig(db_, options_.names)) {
      std::replace(config->tables.begin(), config->tables.end(), name, resync.table);
      config->tables = ConfigOf({}, config->tables).tables;  // sorted, without duplicates
      WriteStoredConfig(db_, options_.names, *config);
    }
  }
  transaction.Commit();
  if (!resync.table.empty()) tables_[index] = resync.table;
  for (const std::string& warning : resync.warnings) log_.Warn("{}", warning);
}

}  // namespace sqlite_cdc::internal
