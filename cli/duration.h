#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace sqlite_cdc::cli {

// Parses "250ms", "2s", "1m", "1h" (a whole number and a unit). nullopt for anything else.
std::optional<std::chrono::milliseconds> ParseDuration(const std::string& text);

// For people: "12.3s" under a minute, then "5m 3s", "2h 5m", "3d 4h".
std::string FormatDuration(double seconds);

}  // namespace sqlite_cdc::cli
