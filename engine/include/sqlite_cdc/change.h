#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sqlite_cdc {

enum class Operation { kInsert, kUpdate, kDelete };

// "INSERT", "UPDATE" or "DELETE".
std::string_view OperationName(Operation operation);

// One changed row, as the triggers logged it. `key`, `before` and `after` are JSON object texts
// exactly as SQLite wrote them (valid UTF-8 guaranteed); `before` is empty for inserts, `after` for
// deletes. Bootstrap changes are inserts with `bootstrap` set and id 0.
struct Change {
  int64_t id = 0;
  std::string table;
  std::string timestamp;  // RFC 3339 UTC, e.g. 2026-11-22T10:00:00.123Z
  Operation operation = Operation::kInsert;
  std::string key;
  std::optional<std::string> before;
  std::optional<std::string> after;
  bool bootstrap = false;
};

// One batch, in log order.
using Changes = std::vector<Change>;

// Appends the change event as one line of JSON (no newline):
// {"id":42,"table":"users","timestamp":"...","operation":"UPDATE","key":{...},"before":{...},"after":{...}}
// plus "bootstrap":true for bootstrap events. The images are spliced in, not re-parsed.
void AppendEventJson(std::string& out, const Change& change);

}  // namespace sqlite_cdc
