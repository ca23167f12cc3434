#pragma once

#include <string>

namespace sqlite_cdc::cli {

// What --version prints: sqlite-cdc's version and the SQLite library the program runs on (which may
// be newer than the one it was built with), e.g. "sqlite-cdc 0.4.0 (SQLite 3.40.1)".
std::string VersionText();

}  // namespace sqlite_cdc::cli
