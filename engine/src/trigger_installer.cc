#include "trigger_installer.h"

#include <algorithm>

#include "catalog.h"

namespace sqlite_cdc::internal {
namespace {

bool Wanted(const std::vector<schema::TriggerSql>& wanted, const InstalledTrigger& installed) {
  return std::any_of(wanted.begin(), wanted.end(), [&](const schema::TriggerSql& trigger) {
    return trigger.name == installed.name && trigger.create_sql == installed.sql;
  });
}

bool Installed(const std::vector<InstalledTrigger>& installed, const schema::TriggerSql& trigger) {
  return std::any_of(installed.begin(), installed.end(), [&](const InstalledTrigger& existing) {
    return existing.name == trigger.name && existing.sql == trigger.create_sql;
  });
}

std::vector<InstalledTrigger> OursOn(Database& db, const std::string& table, const schema::LogTableNames& names) {
  std::vector<InstalledTrigger> triggers = CdcTriggersOn(db, table);
  std::erase_if(triggers, [&](const InstalledTrigger& trigger) { return !FeedsLog(trigger.sql, names); });
  return triggers;
}

}  // namespace

bool InstallTriggers(Database& db, const schema::TableSchema& table, const schema::TriggerOptions& options) {
  // What the triggers write to must exist before them, or the application's writes would fail.
  db.Execute(schema::CreateEvictedTableSql(options.names));
  db.Execute(schema::RestoreHighWaterRowSql(options.names));
  const std::vector<schema::TriggerSql> wanted = schema::GenerateTriggers(table, options);
  const std::vector<InstalledTrigger> installed = OursOn(db, table.name, options.names);
  bool changed = false;
  for (const InstalledTrigger& trigger : installed) {
    if (Wanted(wanted, trigger)) continue;
    db.Execute(schema::DropTriggerSql(trigger.name));
    changed = true;
  }
  for (const schema::TriggerSql& trigger : wanted) {
    if (Installed(installed, trigger)) continue;
    db.Execute(schema::DropTriggerSql(trigger.name));  // a same-named trigger of another shape
    db.Execute(trigger.create_sql);
    changed = true;
  }
  return changed;
}

bool TriggersUpToDate(Database& db, const schema::TableSchema& table, const schema::TriggerOptions& options) {
  const std::vector<schema::TriggerSql> wanted = schema::GenerateTriggers(table, options);
  const std::vector<InstalledTrigger> installed = OursOn(db, table.name, options.names);
  if (installed.size() != wanted.size()) return false;
  return std::all_of(installed.begin(), installed.end(),
                     [&](const InstalledTrigger& trigger) { return Wanted(wanted, trigger); });
}

bool HasTriggers(Database& db, const std::string& table, const schema::LogTableNames& names) {
  return !OursOn(db, table, names).empty();
}

int DropTriggers(Database& db, const std::string& table, const schema::LogTableNames& names) {
  const std::vector<InstalledTrigger> installed = OursOn(db, table, names);
  for (const InstalledTrigger& trigger : installed) db.Execute(schema::DropTriggerSql(trigger.name));
  return static_cast<int>(installed.size());
}

}  // namespace sqlite_cdc::internal
