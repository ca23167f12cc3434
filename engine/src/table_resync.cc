#include "table_resync.h"

#include "catalog.h"
#include "trigger_installer.h"

namespace sqlite_cdc::internal {
namespace {

std::string ResendHint(const std::string& table) {
  return "to re-send its current rows, run sqlite-cdc --bootstrap --table " + table + " with your --output";
}

}  // namespace

TableResync ResyncTable(Database& db, const std::string& name, const TableHealth& health,
                        const schema::TriggerOptions& options) {
  TableResync result;
  result.table = name;
  switch (health.state) {
    case TableHealth::State::kMatch:
      return result;
    case TableHealth::State::kDropped:
      result.table.clear();
      return result;
    case TableHealth::State::kOutdated: {
      // Read before the new triggers exist: every change of the table logged so far is the old triggers'.
      const std::string range = LoggedRange(db, options.names, name);
      result.changed = InstallTriggers(db, ReadTable(db, name), options);
      result.warnings.push_back("table " + name + ": re-installed its triggers for its current columns and options; " +
                                range + " were captured by the old triggers, so their images predate the change; " +
                                ResendHint(name));
      return result;
    }
    case TableHealth::State::kOvertaken:
      result.changed = InstallTriggers(db, ReadTable(db, name), options);
      result.warnings.push_back("table " + name + ": re-installed its AFTER triggers so that they fire before " +
                                health.firing_first.front() +
                                (health.firing_first.size() > 1 ? " and the others created after them" : "") +
                                "; changes logged before may show such a trigger's write before the change that "
                                "fired it; " +
                                ResendHint(name));
      return result;
    case TableHealth::State::kMissing:
      result.changed = InstallTriggers(db, ReadTable(db, name), options);
      result.warnings.push_back("table " + name +
                                ": re-installed its lost triggers (a rebuilt table loses them); changes made to it "
                                "without triggers were NOT captured; " +
                                ResendHint(name));
      return result;
    case TableHealth::State::kRenamed: {
      const std::string range = LoggedRange(db, options.names, name);
      result.table = ReadTable(db, health.renamed_to).name;
      result.changed = InstallTriggers(db, ReadTable(db, result.table), options);
      result.warnings.push_back("table " + name + " was renamed to " + result.table + ": now watched as " +
                                result.table + "; " + range + " carry the old name");
      return result;
    }
  }
  return result;
}

}  // namespace sqlite_cdc::internal
