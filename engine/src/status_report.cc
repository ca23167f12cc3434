#include "sqlite_cdc/status_report.h"

#include "capture.h"
#include "catalog.h"
#include "guarded.h"
#include "log_backlog_query.h"
#include "log_size.h"
#include "log_state_check.h"
#include "schema/identifier.h"
#include "sqlite_cdc/restore.h"
#include "trigger_installer.h"

namespace sqlite_cdc {

using internal::Database;

namespace {

std::vector<WatchedTableStatus> ReadTableStatuses(Database& db, const CaptureOptions& options,
                                                  const schema::LogTableNames& names) {
  const schema::TriggerOptions trigger_options = internal::TriggerOptionsFor(options);
  std::vector<WatchedTableStatus> tables;
  for (const std::string& name : internal::ResolveWatchedTables(db, options, names)) {
    // The same comparison the engine's drift check makes.
    tables.push_back({name, internal::TriggersUpToDate(db, internal::ReadTable(db, name), trigger_options)});
  }
  return tables;
}

void ReadBacklog(Database& db, const schema::LogTableNames& names, std::chrono::system_clock::time_point now,
                 CaptureStatus* status) {
  const LogBacklog backlog = internal::QueryLogBacklog(db, names);
  status->backlog = backlog.rows;
  if (backlog.rows > 0) {
    status->oldest_id = backlog.oldest_id;
    status->oldest_timestamp = backlog.oldest_timestamp;
    if (const auto millis = ParseRfc3339Millis(backlog.oldest_timestamp)) {
      const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
      status->oldest_age_seconds = static_cast<double>(now_ms - *millis) / 1000.0;
    }
  }
  status->last_delivered_id =
      db.QueryInt("SELECT coalesce(max(last_deleted_id), 0) FROM " + schema::QuoteIdentifier(names.state));
}

}  // namespace

Status ReadCaptureStatus(const CaptureOptions& options, CaptureStatus* status,
                         std::chrono::system_clock::time_point now) {
  return internal::Guarded([&] {
    internal::ValidateCaptureOptions(options);
    const schema::LogTableNames names = schema::LogTableNames::For(options.log_table);
    // Read-only, and no --db-params applied: journal_mode and the like would write to the file.
    Database db = Database::OpenReadOnly(options.db_path);
    internal::ReadTransaction snapshot(db);
    internal::RequireSetUpLog(db, options, names);
    CaptureStatus result;
    result.log_table = names.log;
    result.tables = ReadTableStatuses(db, options, names);
    ReadBacklog(db, names, now, &result);
    result.log_state_problem = internal::LogStateProblem(db, names);
    const internal::TableBytes size = internal::LogTableBytes(db, names);
    result.log_bytes = size.bytes;
    result.log_bytes_exact = size.exact;
    snapshot.End();
    *status = std::move(result);
    return Status::Ok();
  });
}

}  // namespace sqlite_cdc
