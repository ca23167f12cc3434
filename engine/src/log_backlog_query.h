#pragma once

#include "database.h"
#include "schema/log_table_sql.h"
#include "sqlite_cdc/log_backlog.h"

namespace sqlite_cdc::internal {

// The backlog of the log `names` in an open database, read by one statement (one snapshot):
// ReadLogBacklog (metrics) and ReadCaptureStatus (status) share it.
LogBacklog QueryLogBacklog(Database& db, const schema::LogTableNames& names);

}  // namespace sqlite_cdc::internal
