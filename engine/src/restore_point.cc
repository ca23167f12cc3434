#include <cctype>
#include <cstdio>
#include <ctime>

#include "sqlite_cdc/restore.h"

namespace sqlite_cdc {

std::optional<int64_t> ParseRfc3339Millis(const std::string& text) {
  int year, month, day, hour, minute, second, consumed = 0;
  char t;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d%n", &year, &month, &day, &t, &hour, &minute, &second,
                  &consumed) != 7 ||
      (t != 'T' && t != 't' && t != ' ') || consumed != 19) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  size_t at = 19;
  int64_t millis = 0;
  if (at < text.size() && text[at] == '.') {
    int digits = 0;
    for (++at; at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])); ++at, ++digits) {
      if (digits < 3) millis = millis * 10 + (text[at] - '0');
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 3; ++digits) millis *= 10;
  }
  int64_t offset_minutes = 0;
  if (at < text.size() && (text[at] == 'Z' || text[at] == 'z')) {
    ++at;
  } else if (at + 6 == text.size() && (text[at] == '+' || text[at] == '-') && text[at + 3] == ':') {
    int oh = 0, om = 0;
    if (std::sscanf(text.c_str() + at + 1, "%2d:%2d", &oh, &om) != 2) return std::nullopt;
    offset_minutes = (text[at] == '-' ? -1 : 1) * (oh * 60 + om);
    at += 6;
  } else {
    return std::nullopt;
  }
  if (at != text.size()) return std::nullopt;
  std::tm parts{};
  parts.tm_year = year - 1900;
  parts.tm_mon = month - 1;
  parts.tm_mday = day;
  parts.tm_hour = hour;
  parts.tm_min = minute;
  parts.tm_sec = second;
  return (static_cast<int64_t>(timegm(&parts)) - offset_minutes * 60) * 1000 + millis;
}

bool RestorePoint::Includes(const Change& change) const {
  if (change.bootstrap) return true;
  if (id && change.id > *id) return false;
  if (timestamp_ms) {
    const auto at = ParseRfc3339Millis(change.timestamp);
    if (at && *at > *timestamp_ms) return false;
  }
  return true;
}

}  // namespace sqlite_cdc
