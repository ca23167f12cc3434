#include "table_health.h"

#include "catalog.h"
#include "schema/identifier.h"
#include "trigger_installer.h"

namespace sqlite_cdc::internal {
namespace {

// The table that now carries the triggers setup named after `name`, if they feed this log and sit
// on another table: a RENAME TABLE rewrites a trigger's ON clause but keeps its name.
std::string TableCarryingTriggersOf(Database& db, const std::string& name, const schema::LogTableNames& names) {
  Statement statement(db, "SELECT tbl_name, sql FROM sqlite_schema WHERE type = 'trigger' AND name IN (?1, ?2, ?3)");
  statement.Bind(1, schema::TriggerName(name, schema::TriggerEvent::kInsert))
      .Bind(2, schema::TriggerName(name, schema::TriggerEvent::kUpdate))
      .Bind(3, schema::TriggerName(name, schema::TriggerEvent::kDelete));
  while (statement.Step()) {
    if (FeedsLog(std::string(statement.Text(1)), names)) return std::string(statement.Text(0));
  }
  return "";
}

}  // namespace

TableHealth CheckTableHealth(Database& db, const std::string& name, const schema::TriggerOptions& options) {
  TableHealth health;
  if (!TableExists(db, name)) {
    health.renamed_to = TableCarryingTriggersOf(db, name, options.names);
    health.state = health.renamed_to.empty() ? TableHealth::State::kDropped : TableHealth::State::kRenamed;
    return health;
  }
  const schema::TableSchema table = ReadTable(db, name);
  if (TriggersUpToDate(db, table, options)) {
    health.firing_first = TriggersFiringBeforeOurs(db, table, options);
    if (!health.firing_first.empty()) health.state = TableHealth::State::kOvertaken;
    return health;
  }
  health.state =
      HasTriggers(db, table.name, options.names) ? TableHealth::State::kOutdated : TableHealth::State::kMissing;
  return health;
}

std::string DescribeTableHealth(const std::string& name, const TableHealth& health) {
  switch (health.state) {
    case TableHealth::State::kMatch:
      return "";
    case TableHealth::State::kOutdated:
      return "the triggers of table " + name +
             " do not match its columns (schema changed); run sqlite-cdc-setup --setup, or sqlite-cdc --resync";
    case TableHealth::State::kMissing:
      return "table " + name +
             " is watched but has no triggers (rebuilt, or its triggers were dropped): its changes are NOT "
             "captured; run sqlite-cdc-setup --setup, or sqlite-cdc --resync";
    case TableHealth::State::kRenamed:
      return "table " + name + " was renamed to " + health.renamed_to + ": its changes are logged as " + name +
             "; run sqlite-cdc-setup --setup, or sqlite-cdc --resync, to watch it as " + health.renamed_to;
    case TableHealth::State::kOvertaken: {
      std::string triggers;
      for (const std::string& trigger : health.firing_first) triggers += (triggers.empty() ? "" : ", ") + trigger;
      return "trigger " + triggers + " of table " + name +
             " was created after sqlite-cdc's and fires before them: what it writes to the table is logged "
             "before the change that fired it, so consumers can end on an older image; run sqlite-cdc-setup "
             "--setup, or sqlite-cdc --resync, to make sqlite-cdc's triggers fire first";
    }
    case TableHealth::State::kDropped:
      return "watched table " + name +
             " no longer exists; its changes already in the log are still delivered; run sqlite-cdc-setup "
             "--teardown --table " +
             name + " to stop watching it";
  }
  return "";
}

std::string LoggedRange(Database& db, const schema::LogTableNames& names, const std::string& table) {
  Statement range(db, "SELECT min(id), max(id), count(*) FROM " + schema::QuoteIdentifier(names.log) +
                          " WHERE tablename = ?1 AND " + schema::UndeliveredCondition(names));
  range.Bind(1, table);
  range.Step();
  if (range.Int(2) > 0) {
    return "log ids " + std::to_string(range.Int(0)) + ".." + std::to_string(range.Int(1)) + " (" +
           std::to_string(range.Int(2)) + (range.Int(2) == 1 ? " change)" : " changes)");
  }
  const int64_t last = db.QueryInt("SELECT coalesce(max(id), 0) FROM " + schema::QuoteIdentifier(names.log));
  return "its changes up to log id " + std::to_string(last) + " (none still in the log)";
}

}  // namespace sqlite_cdc::internal
