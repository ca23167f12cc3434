#pragma once

#include <cstdio>
#include <string>

#include "sqlite_cdc/changes_handler.h"

namespace sqlite_cdc::sinks {

// `--output -`: one line per change for a person at a terminal,
// "<timestamp>: <table> <operation> <key>", e.g. `2026-11-22T10:00:00.123Z: users UPDATE {"id":1}`.
// Control characters (bytes below 0x20, 0x7f, and U+0080 to U+009F) are written as \xNN, so a table
// name or key can neither break the line nor drive the terminal. Not a format for programs: use json.
class StdoutSink : public ChangesHandler {
 public:
  explicit StdoutSink(std::FILE* stream = stdout) : stream_(stream) {}
  HandlerResult Handle(const Changes& batch) override;

 private:
  std::FILE* stream_;
  std::string buffer_;
};

}  // namespace sqlite_cdc::sinks
