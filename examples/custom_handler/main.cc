// A custom build: links the engine library and supplies its own handler.
// Usage: custom_handler DB — drains what the log holds, printing one line per table and operation.
#include <iostream>
#include <map>
#include <memory>
#include <string>

#include "sqlite_cdc/engine.h"

namespace {

// Counts changes per "table operation"; a real handler would forward them somewhere.
class CountingHandler : public sqlite_cdc::ChangesHandler {
 public:
  sqlite_cdc::HandlerResult Handle(const sqlite_cdc::Changes& batch) override {
    for (const sqlite_cdc::Change& change : batch) {
      ++counts_[change.table + " " + std::string(sqlite_cdc::OperationName(change.operation))];
    }
    return sqlite_cdc::HandlerResult::Success();
  }
  const std::map<std::string, int>& counts() const { return counts_; }

 private:
  std::map<std::string, int> counts_;
};

// This program's exit codes, which are its own business: 2 when the caller must fix something.
int ExitCode(const sqlite_cdc::Status& status) {
  switch (status.code()) {
    case sqlite_cdc::Status::Code::kOk:
      return 0;
    case sqlite_cdc::Status::Code::kInvalidArgument:
    case sqlite_cdc::Status::Code::kNotFound:
      return 2;
    default:
      return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: custom_handler DB\n";
    return 2;
  }
  sqlite_cdc::EngineOptions options;
  options.capture.db_path = argv[1];
  std::unique_ptr<sqlite_cdc::Engine> engine;
  if (auto status = sqlite_cdc::Engine::Open(options, &engine); !status.ok()) {
    std::cerr << "custom_handler: " << status.message() << "\n";
    return ExitCode(status);
  }
  CountingHandler handler;
  if (auto status = engine->DrainOnce(handler); !status.ok()) {
    std::cerr << "custom_handler: " << status.message() << "\n";
    return ExitCode(status);
  }
  for (const auto& [what, count] : handler.counts()) std::cout << what << " " << count << "\n";
  return 0;
}
