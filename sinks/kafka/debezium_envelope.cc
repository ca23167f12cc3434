#include "sinks/kafka/debezium_envelope.h"

#include <charconv>
#include <chrono>
#include <nlohmann/json.hpp>

#include "sqlite_cdc/version.h"

namespace sqlite_cdc::sinks {
namespace {

// Table and file names are the only free text we write ourselves; the images are spliced in as
// SQLite wrote them, like AppendEventJson does. Invalid UTF-8 is replaced rather than thrown on.
void AppendJsonString(std::string& out, std::string_view text) {
  out += nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void AppendImage(std::string& out, const std::optional<std::string>& image) { out += image ? *image : "null"; }

char OpCode(const Change& change) {
  if (change.bootstrap) return 'r';
  switch (change.operation) {
    case Operation::kInsert:
      return 'c';
    case Operation::kUpdate:
      return 'u';
    case Operation::kDelete:
      return 'd';
  }
  return 'c';
}

// A fixed-width decimal field of `text` at `at`; false when not all digits.
bool ReadNumber(std::string_view text, size_t at, size_t width, int* value) {
  if (at + width > text.size()) return false;
  const char* begin = text.data() + at;
  const auto [end, error] = std::from_chars(begin, begin + width, *value);
  return error == std::errc() && end == begin + width;
}

}  // namespace

std::optional<int64_t> TimestampMillis(std::string_view timestamp) {
  // YYYY-MM-DDTHH:MM:SS[.mmm]Z
  int year, month, day, hour, minute, second, millis = 0;
  if (!ReadNumber(timestamp, 0, 4, &year) || !ReadNumber(timestamp, 5, 2, &month) ||
      !ReadNumber(timestamp, 8, 2, &day) || !ReadNumber(timestamp, 11, 2, &hour) ||
      !ReadNumber(timestamp, 14, 2, &minute) || !ReadNumber(timestamp, 17, 2, &second)) {
    return std::nullopt;
  }
  if (timestamp[4] != '-' || timestamp[7] != '-' || timestamp[10] != 'T' || timestamp[13] != ':' ||
      timestamp[16] != ':') {
    return std::nullopt;
  }
  std::string_view rest = timestamp.substr(19);
  if (rest.size() == 5 && rest[0] == '.' && rest[4] == 'Z') {
    if (!ReadNumber(rest, 1, 3, &millis)) return std::nullopt;
  } else if (rest != "Z") {
    return std::nullopt;
  }
  const std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(month), std::chrono::day(day)};
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  const auto days = std::chrono::sys_days(date).time_since_epoch();
  const auto time = std::chrono::hours(hour) + std::chrono::minutes(minute) + std::chrono::seconds(second) +
                    std::chrono::milliseconds(millis);
  return std::chrono::duration_cast<std::chrono::milliseconds>(days + time).count();
}

void AppendDebeziumEnvelope(std::string& out, const Change& change, std::string_view db, int64_t now_ms) {
  out += "{\"before\":";
  AppendImage(out, change.before);
  out += ",\"after\":";
  AppendImage(out, change.after);
  out += ",\"source\":{\"version\":\"";
  out += kVersion;
  out += "\",\"connector\":\"sqlite\",\"name\":\"sqlite-cdc\",\"ts_ms\":";
  // A timestamp we cannot read (not one the triggers wrote) falls back to the processing time.
  out += std::to_string(TimestampMillis(change.timestamp).value_or(now_ms));
  out += ",\"snapshot\":";
  out += change.bootstrap ? "\"true\"" : "\"false\"";
  out += ",\"db\":";
  AppendJsonString(out, db);
  out += ",\"table\":";
  AppendJsonString(out, change.table);
  out += ",\"id\":";
  out += std::to_string(change.id);
  out += "},\"op\":\"";
  out += OpCode(change);
  out += "\",\"ts_ms\":";
  out += std::to_string(now_ms);
  out += '}';
}

}  // namespace sqlite_cdc::sinks
