#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace sqlite_cdc::sinks {

// An HTTP-date ("Wed, 21 Oct 2026 07:28:00 GMT"); nullopt when unreadable.
std::optional<std::chrono::system_clock::time_point> ParseHttpDate(std::string_view value);

// How long an HTTP Retry-After value asks to wait, from `now`: delay-seconds ("120") or an
// HTTP-date ("Wed, 21 Oct 2026 07:28:00 GMT"; zero when already past). nullopt when unreadable.
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value,
                                                         std::chrono::system_clock::time_point now);

}  // namespace sqlite_cdc::sinks
