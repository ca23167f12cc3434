#include "version_text.h"

#include <sqlite3.h>

#include "sqlite_cdc/version.h"

namespace sqlite_cdc::cli {

std::string VersionText() { return std::string("sqlite-cdc ") + kVersion + " (SQLite " + sqlite3_libversion() + ")"; }

}  // namespace sqlite_cdc::cli
