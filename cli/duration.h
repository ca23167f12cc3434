#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace sqlite_cdc::cli {

// Parses "250ms", "2s", "1m", "1h" (a whole number and a unit). nullopt for anything else.
std::optional<std::chrono::milliseconds> ParseDuration(const std::string& text);

// The flag spelling of `duration`, in its largest exact unit: 10000ms is "10s", 90000ms "90s", 0 "0ms".
std::string WriteDuration(std::chrono::milliseconds duration);

// For people: "12.3s" under a minute, then "5m 3s", "2h 5m", "3d 4h".
std::string FormatDuration(double seconds);

}  // namespace sqlite_cdc::cli
