#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace sqlite_cdc::cli {

// Parses "250ms", "2s", "1m", "1h" (a whole number and a unit). nullopt for anything else.
std::optional<std::chrono::milliseconds> ParseDuration(const std::string& text);


}  // namespace sqlite_cdc::cli
