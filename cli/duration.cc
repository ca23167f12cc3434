#include "duration.h"

#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>

namespace sqlite_cdc::cli {

std::optional<std::chrono::milliseconds> ParseDuration(const std::string& text) {
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0 || digits > 12) return std::nullopt;
  const long long value = std::stoll(text.substr(0, digits));
  const std::string unit = text.substr(digits);
  if (unit == "ms") return std::chrono::milliseconds(value);
  if (unit == "s") return std::chrono::seconds(value);
  if (unit == "m") return std::chrono::minutes(value);
  if (unit == "h") return std::chrono::hours(value);
  return std::nullopt;
}

std::string WriteDuration(std::chrono::milliseconds duration) {
  const long long ms = duration.count();
  if (ms == 0) return "0ms";
  if (ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

std::string FormatDuration(double seconds) {
  if (std::fabs(seconds) < 60) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1fs", seconds);
    return text;
  }
  const auto whole = static_cast<int64_t>(seconds);
  const auto two_units = [](int64_t big, const char* big_unit, int64_t small, const char* small_unit) {
    return std::to_string(big) + big_unit + " " + std::to_string(small) + small_unit;
  };
  if (whole < 3600) return two_units(whole / 60, "m", whole % 60, "s");
  if (whole < 86400) return two_units(whole / 3600, "h", whole % 3600 / 60, "m");
  return two_units(whole / 86400, "d", whole % 86400 / 3600, "h");
}

}  // namespace sqlite_cdc::cli
