#pragma once

#include <string>

#include "sqlite_cdc/status.h"

namespace sqlite_cdc::sinks {

// The replica file an `--output sqlite://PATH` names: `sqlite:///abs/replica.db` (absolute) or
// `sqlite://relative.db` (relative to the working directory). kInvalidArgument for an empty path,
// a query or fragment (the URL takes no options), or the source database itself (`source_db`,
// however its path is spelled).
Status ParseReplicaUrl(const std::string& url, const std::string& source_db, std::string* path);

}  // namespace sqlite_cdc::sinks
