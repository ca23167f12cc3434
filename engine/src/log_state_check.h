#pragma once

#include <string>

#include "database.h"
#include "schema/log_table_sql.h"

namespace sqlite_cdc::internal {

// What is wrong with the log's id bookkeeping, as one line naming the table and the fix; empty when
// it is consistent. The triggers number a change max(id of the log, last_deleted_id, 0) + 1, and the
// engine delivers ids above what it passed, starting above 0; so the state is consistent only when
// last_deleted_id is a non-negative integer and every id still in the log is above it (and above
// 0). Otherwise new changes get ids at or below ones already delivered (never delivered, or
// overwriting the archive's), or an id jump makes an archive look incomplete. Only a person can
// tell which value is right, so the engine refuses to start rather than guess.
// REQUIRES: the log and state tables exist; call inside one read transaction for one snapshot.
std::string LogStateProblem(Database& db, const schema::LogTableNames& names);

}  // namespace sqlite_cdc::internal
