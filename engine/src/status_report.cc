#include "sqlite_cdc/status_report.h"

#include "capture.h"
#include "capture_config.h"
#include "catalog.h"
#include "guarded.h"
#include "log_backlog_query.h"
#include "log_size.h"
#include "log_state_check.h"
#include "schema/identifier.h"
#include "sqlite_cdc/restore.h"
#include "table_health.h"
#include "trigger_installer.h"

namespace sqlite_cdc {

using internal::Database;

namespace {

WatchedTableStatus::Triggers Public(internal::TableHealth::State state) {
  using State = internal::TableHealth::State;
  switch (state) {
    case State::kMatch:
      return WatchedTableStatus::Triggers::kMatch;
    case State::kOutdated:
      return WatchedTableStatus::Triggers::kOutdated;
    case State::kMissing:
      return WatchedTableStatus::Triggers::kMissing;
    case State::kRenamed:
      return WatchedTableStatus::Triggers::kRenamed;
    case State::kDropped:
      return WatchedTableStatus::Triggers::kTableDropped;
    case State::kOvertaken:
      return WatchedTableStatus::Triggers::kOvertaken;
  }
  return WatchedTableStatus::Triggers::kMatch;
}

std::vector<WatchedTableStatus> ReadTableStatuses(Database& db, const CaptureOptions& options,
                                                  const schema::LogTableNames& names) {
  const schema::TriggerOptions trigger_options = internal::TriggerOptionsFor(options);
  std::vector<WatchedTableStatus> tables;
  for (const std::string& name : internal::ResolveWatchedTables(db, options, names)) {
    // The same judgement the engine's drift check makes.
    const internal::TableHealth health = internal::CheckTableHealth(db, name, trigger_options);
    WatchedTableStatus table;
    table.name = name;
    table.triggers = Public(health.state);
    table.triggers_match = table.triggers == WatchedTableStatus::Triggers::kMatch;
    table.renamed_to = health.renamed_to;
    table.firing_first = health.firing_first;
    tables.push_back(std::move(table));
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
  return internal::GuardedDoing("read the status of " + options.db_path, [&] {
    internal::ValidateCaptureOptions(options);
    const schema::LogTableNames names = schema::LogTableNames::For(options.log_table);
    // Read-only, and no --db-params applied: journal_mode and the like would write to the file.
    Database db = Database::OpenReadOnly(options.db_path);
    internal::ReadTransaction snapshot(db);
    internal::RequireSetUpLog(db, options, names);
    const std::optional<internal::StoredConfig> stored = internal::ReadStoredConfig(db, names);
    const CaptureOptions resolved = internal::ResolveCaptureOptions(options, stored);
    CaptureStatus result;
    result.log_table = names.log;
    result.options_stored = stored.has_value();
    result.blobs = resolved.blobs;
    result.subsecond = resolved.subsecond;
    result.keep_unchanged_updates = resolved.keep_unchanged_updates;
    result.tables = ReadTableStatuses(db, resolved, names);
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
