#include "sqlite_cdc/log_backlog.h"

#include "database.h"
#include "guarded.h"
#include "log_backlog_query.h"
#include "schema/identifier.h"
#include "schema/log_table_sql.h"

namespace sqlite_cdc {

namespace internal {

LogBacklog QueryLogBacklog(Database& db, const schema::LogTableNames& names, int64_t delivered_floor) {
  const std::string log = schema::QuoteIdentifier(names.log);
  // Both look-ups of the oldest change are one seek at the start of the id b-tree.
  const std::string undelivered =
      " WHERE " + schema::UndeliveredCondition(names) + " AND id > " + std::to_string(delivered_floor);
  Statement query(db, "SELECT count(*), (SELECT min(id) FROM " + log + undelivered + "), (SELECT timestamp FROM " +
                          log + undelivered + " ORDER BY id LIMIT 1) FROM " + log + undelivered);
  LogBacklog backlog;
  query.Step();
  backlog.rows = query.Int(0);
  backlog.oldest_id = query.IsNull(1) ? 0 : query.Int(1);
  backlog.oldest_timestamp = query.IsNull(2) ? "" : std::string(query.Text(2));
  return backlog;
}

}  // namespace internal

Status ReadLogBacklog(const CaptureOptions& capture, LogBacklog* backlog, int64_t delivered_floor) {
  return internal::GuardedDoing("read the backlog of " + capture.db_path, [&] {
    internal::Database db = internal::Database::OpenReadOnly(capture.db_path);
    *backlog = internal::QueryLogBacklog(db, schema::LogTableNames::For(capture.log_table), delivered_floor);
    return Status::Ok();
  });
}

}  // namespace sqlite_cdc
