#include "sqlite_cdc/status_report.h"

#include "capture.h"
#include "catalog.h"
#include "guarded.h"
#include "log_size.h"
#include "schema/identifier.h"
#include "sqlite_cdc/restore.h"
#include "trigger_installer.h"

namespace sqlite_cdc {

using internal::Database;
using internal::Statement;

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
  const std::string log = schema::QuoteIdentifier(names.log);
  status->backlog = db.QueryInt("SELECT count(*) FROM " + log);
  Statement oldest(db, "SELECT id, timestamp FROM " + log + " ORDER BY id LIMIT 1");
  if (oldest.Step()) {
    status->oldest_id = oldest.Int(0);
    status->oldest_timestamp = std::string(oldest.Text(1));
    if (const auto millis = ParseRfc3339Millis(*status->oldest_timestamp)) {
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
    Database db = Database::OpenExistingReadOnly(options.db_path);
    internal::ReadTransaction snapshot(db);
    internal::RequireSetUpLog(db, options, names);
    CaptureStatus result;
    result.log_table = names.log;
    result.tables = ReadTableStatuses(db, options, names);
    ReadBacklog(db, names, now, &result);
    const internal::TableBytes size = internal::LogTableBytes(db, names);
    result.log_bytes = size.bytes;
    result.log_bytes_exact = size.exact;
    snapshot.End();
    *status = std::move(result);
    return Status::Ok();
  });
}

}  // namespace sqlite_cdc
