#include "sinks/http/retry_after.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <string>

namespace sqlite_cdc::sinks {

std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value,
                                                         std::chrono::system_clock::time_point now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), ::isdigit)) {
    if (value.size() > 9) return std::chrono::hours(24 * 365);  // absurd, but a clear "much later"
    return std::chrono::seconds(std::stol(std::string(value)));
  }
  const auto at = ParseHttpDate(value);
  if (!at) return std::nullopt;
  return std::max(std::chrono::milliseconds(0), std::chrono::duration_cast<std::chrono::milliseconds>(*at - now));
}

std::optional<std::chrono::system_clock::time_point> ParseHttpDate(std::string_view value) {
  std::tm parts{};
  const std::string text(value);
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &parts);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return std::chrono::system_clock::from_time_t(timegm(&parts));
}

}  // namespace sqlite_cdc::sinks
