#pragma once

#include "database.h"
#include "schema/log_table_sql.h"
#include "sqlite_cdc/log_backlog.h"

namespace sqlite_cdc::internal {

// The backlog of the log `names` in an open database, read by one statement (one snapshot):
// ReadLogBacklog (metrics) and ReadCaptureStatus (status) share it.
// Counts changes above the watermark and above `delivered_floor` (what a running engine delivered
// but has not removed from the log yet).
LogBacklog QueryLogBacklog(Database& db, const schema::LogTableNames& names, int64_t delivered_floor = 0);

}  // namespace sqlite_cdc::internal
