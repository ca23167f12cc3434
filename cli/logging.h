#pragma once

#include <string>

namespace sqlite_cdc::cli {

// Sends spdlog's default logger (the library's logs and the program's) to stderr at `level`
// (trace ... off), each line stamped with the local time and its UTC offset, e.g.
// `2026-11-22T11:00:00.123+01:00 info ...`: a line read later, or on another host, says when.
void ConfigureLogging(const std::string& program, const std::string& level);

}  // namespace sqlite_cdc::cli
