#include "log_state_check.h"

#include <algorithm>

#include "schema/identifier.h"

namespace sqlite_cdc::internal {

std::string LogStateProblem(Database& db, const schema::LogTableNames& names) {
  const std::string state = schema::QuoteIdentifier(names.state);
  const std::string log = schema::QuoteIdentifier(names.log);
  const std::string fix = "; set it to the last log id your consumers received (UPDATE " + state +
                          " SET last_deleted_id = N), below every id still in " + names.log +
                          ", or see the README (Log ids)";
  Statement read(db,
                 "SELECT typeof(last_deleted_id), quote(last_deleted_id), "
                 "CASE typeof(last_deleted_id) WHEN 'integer' THEN last_deleted_id END FROM " +
                     state);
  int64_t last_deleted = 0;
  if (read.Step()) {
    const std::string type(read.Text(0));
    const std::string value(read.Text(1));
    if (type != "integer") {
      return names.state + ".last_deleted_id is " + value.substr(0, 40) + " (" + type +
             "), not an integer: new changes would reuse delivered log ids" + fix;
    }
    last_deleted = read.Int(2);
    if (last_deleted < 0) {
      return names.state + ".last_deleted_id is " + std::to_string(last_deleted) +
             ", below 0: new changes would get ids the engine never delivers" + fix;
    }
  }
  read.Reset();
  // Both are rowid seeks: the check costs nothing however long the log is. The row whose id is the
  // watermark itself is the high-water row the engine keeps; anything below it is out of place.
  Statement lowest_id(db, "SELECT min(id) FROM " + log);
  if (!lowest_id.Step() || lowest_id.IsNull(0)) return "";
  const int64_t lowest = lowest_id.Int(0);
  if (lowest >= last_deleted && lowest > 0) return "";
  Statement below(db, "SELECT count(*) FROM " + log + " WHERE id < ?1");
  below.Bind(1, std::max<int64_t>(last_deleted, 1)).Step();
  const std::string count = std::to_string(below.Int(0));
  if (lowest <= 0) {
    return names.log + " holds " + count + " changes with ids at or below 0 (lowest " + std::to_string(lowest) +
           "), which the engine never delivers and the triggers never write: deliver or delete them by hand, "
           "then set " +
           names.state + ".last_deleted_id to the last log id your consumers received";
  }
  return names.log + " holds " + count + " changes with ids below " + names.state + ".last_deleted_id " +
         std::to_string(last_deleted) + " (lowest " + std::to_string(lowest) +
         "): either they were delivered already (delete them) or last_deleted_id is too high" + fix;
}

}  // namespace sqlite_cdc::internal
