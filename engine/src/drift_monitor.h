#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "database.h"
#include "info_log.h"
#include "schema/trigger_sql.h"

namespace sqlite_cdc::internal {

// Notices when a watched table's triggers no longer match what setup would generate for its current
// columns (ADD/RENAME/retyped columns), are gone (a rebuilt table), or sit on a renamed table, at
// start and whenever PRAGMA schema_version moves. Then it warns, naming the table and the fix, or
// with resync re-installs the triggers (following a rename in the stored config) and says which log
// ids predate the change.
class DriftMonitor {
 public:
  // `tables` is the engine's list of watched tables; a followed rename updates it in place, so it
  // must outlive the monitor. With resync, a database set up before the config was stored gets one.
  DriftMonitor(Database& db, std::vector<std::string>& tables, schema::TriggerOptions options, bool resync,
               InfoLog log);

  // Cheap when nothing changed: one PRAGMA. True when the schema changed since the last call (and
  // on the first call).
  bool CheckIfSchemaChanged();
  // PRAGMA schema_version as the last check saw it.
  int64_t schema_version() const { return schema_version_; }
  // Tables found drifted by the last check and not re-installed.
  const std::vector<std::string>& drifted() const { return drifted_; }

 private:
  // True when it changed the schema itself (a resync, a stored config).
  bool Check();
  bool StoreConfigIfMissing();
  void Resync(size_t index);

  Database& db_;
  std::vector<std::string>& tables_;
  schema::TriggerOptions options_;
  bool resync_;
  InfoLog log_;
  int64_t schema_version_ = -1;
  std::vector<std::string> drifted_;
  Statement read_schema_version_;  // prepared once: the engine asks once per batch
};

}  // namespace sqlite_cdc::internal
