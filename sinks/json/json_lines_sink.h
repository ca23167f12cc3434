#pragma once

#include <cstdio>
#include <string>

#include "sqlite_cdc/changes_handler.h"

namespace sqlite_cdc::sinks {

// `--output json`: NDJSON, one change event per line.
class JsonLinesSink : public ChangesHandler {
 public:
  explicit JsonLinesSink(std::FILE* stream = stdout) : stream_(stream) {}
  HandlerResult Handle(const Changes& batch) override;

 private:
  std::FILE* stream_;
  std::string buffer_;  // reused across batches: the hot path allocates nothing in steady state
};

}  // namespace sqlite_cdc::sinks
