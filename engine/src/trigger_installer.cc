#include "trigger_installer.h"

#include <algorithm>
#include <optional>

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

// SQLite fires a table's newest trigger first. An application trigger created after our AFTER
// triggers runs before them: what it writes to the table (an AFTER UPDATE stamping updated_at) is
// logged before the change that fired it, and a consumer ends on the older image. The triggers that
// are not ours and were created after one of our AFTER triggers on `table`.
std::vector<std::string> TriggersAheadOfOurs(Database& db, const std::string& table,
                                             const std::vector<schema::TriggerSql>& wanted,
                                             const std::vector<InstalledTrigger>& ours) {
  const auto is_ours = [&](const InstalledTrigger& trigger) {
    return std::any_of(ours.begin(), ours.end(), [&](const InstalledTrigger& o) { return o.name == trigger.name; });
  };
  std::optional<int64_t> oldest_after;
  for (const InstalledTrigger& trigger : ours) {
    const auto generated =
        std::find_if(wanted.begin(), wanted.end(), [&](const schema::TriggerSql& w) { return w.name == trigger.name; });
    if (generated == wanted.end() || generated->before) continue;
    if (!oldest_after || trigger.created < *oldest_after) oldest_after = trigger.created;
  }
  std::vector<std::string> ahead;
  if (!oldest_after) return ahead;
  for (const InstalledTrigger& trigger : TriggersOn(db, table)) {
    if (!is_ours(trigger) && trigger.created > *oldest_after) ahead.push_back(trigger.name);
  }
  return ahead;
}

}  // namespace

bool InstallTriggers(Database& db, const schema::TableSchema& table, const schema::TriggerOptions& options) {
  // What the triggers write to must exist before them, or the application's writes would fail.
  db.Execute(schema::CreateEvictedTableSql(options.names));
  db.Execute(schema::RestoreHighWaterRowSql(options.names));
  const std::vector<schema::TriggerSql> wanted = schema::GenerateTriggers(table, options);
  const std::vector<InstalledTrigger> installed = OursOn(db, table.name, options.names);
  bool changed = false;
  // Our AFTER triggers are made the newest again, in the order schema/ gives them; our BEFORE
  // triggers stay older than the application's, which then run first (a write of theirs to the
  // table would otherwise clear what a REPLACE stashed).
  const bool overtaken = !TriggersAheadOfOurs(db, table.name, wanted, installed).empty();
  for (const InstalledTrigger& trigger : installed) {
    if (Wanted(wanted, trigger)) continue;
    db.Execute(schema::DropTriggerSql(trigger.name));
    changed = true;
  }
  for (const schema::TriggerSql& trigger : wanted) {
    if (Installed(installed, trigger) && !(overtaken && !trigger.before)) continue;
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

std::vector<std::string> TriggersFiringBeforeOurs(Database& db, const schema::TableSchema& table,
                                                  const schema::TriggerOptions& options) {
  return TriggersAheadOfOurs(db, table.name, schema::GenerateTriggers(table, options),
                             OursOn(db, table.name, options.names));
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
