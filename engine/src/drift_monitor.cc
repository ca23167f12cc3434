#include "drift_monitor.h"

#include <spdlog/spdlog.h>

#include "catalog.h"
#include "trigger_installer.h"

namespace sqlite_cdc::internal {

DriftMonitor::DriftMonitor(Database& db, std::vector<std::string> tables, schema::TriggerOptions options,
                           bool resync)
    : db_(db), tables_(std::move(tables)), options_(std::move(options)), resync_(resync) {}

bool DriftMonitor::CheckIfSchemaChanged() {
  const int64_t version = db_.QueryInt("PRAGMA schema_version");
  if (version == schema_version_) return false;
  Check();
  // Re-read: a resync changes the schema itself.
  schema_version_ = db_.QueryInt("PRAGMA schema_version");
  return true;
}

void DriftMonitor::Check() {
  drifted_.clear();
  for (const std::string& name : tables_) {
    schema::TableSchema table;
    try {
      table = ReadTable(db_, name);
    } catch (const InvalidInput&) {
      spdlog::warn("watched table {} no longer exists; its changes already in the log are still delivered", name);
      continue;
    }
    if (TriggersUpToDate(db_, table, options_)) continue;
    if (!resync_) {
      spdlog::warn("triggers of table {} do not match its columns (schema changed); run sqlite-cdc-setup --setup "
                   "--table {} with the same options, or start sqlite-cdc with --resync",
                   name, name);
      drifted_.push_back(name);
      continue;
    }
    WriteTransaction transaction(db_);
    InstallTriggers(db_, ReadTable(db_, name), options_);
    transaction.Commit();
    spdlog::info("re-installed the triggers of table {} for its current columns", name);
  }
}

}  // namespace sqlite_cdc::internal
