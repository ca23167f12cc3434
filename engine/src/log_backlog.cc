#include "sqlite_cdc/log_backlog.h"

#include "database.h"
#include "schema/identifier.h"
#include "schema/log_table_sql.h"

namespace sqlite_cdc {

Status ReadLogBacklog(const CaptureOptions& capture, LogBacklog* backlog) {
  try {
    internal::Database db = internal::Database::OpenReadOnly(capture.db_path);
    const std::string log = schema::QuoteIdentifier(schema::LogTableNames::For(capture.log_table).log);
    internal::Statement query(db, "SELECT count(*), (SELECT timestamp FROM " + log + " ORDER BY id LIMIT 1) FROM " + log);
    query.Step();
    backlog->rows = query.Int(0);
    backlog->oldest_timestamp = query.IsNull(1) ? "" : std::string(query.Text(1));
    return Status::Ok();
  } catch (const std::exception& error) {
    return Status::DatabaseError(error.what());
  }
}

}  // namespace sqlite_cdc
