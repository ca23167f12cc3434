#pragma once

#include <cstdio>
#include <string>

#include "sqlite_cdc/changes_handler.h"

namespace sqlite_cdc::sinks {

// `--output -`: one line per change, "<timestamp>: <table> <operation>".
class StdoutSink : public ChangesHandler {
 public:
  explicit StdoutSink(std::FILE* stream = stdout) : stream_(stream) {}
  HandlerResult Handle(const Changes& batch) override;

 private:
  std::FILE* stream_;
  std::string buffer_;
};

}  // namespace sqlite_cdc::sinks
