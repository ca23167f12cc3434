#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "sqlite_cdc/changes_handler.h"

namespace sqlite_cdc::testing {

// A handler that keeps every call the engine made, for tests of the engine itself. It fails the
// first `failures` batches with `failure` (without keeping them). Thread-safe: the test reads it
// while the engine's thread calls it.
class RecordingHandler : public ChangesHandler {
 public:
  HandlerResult Handle(const Changes& batch) override;
  HandlerResult OnSchema(const WatchedSchema& schema) override;
  HandlerResult OnSnapshotComplete(int64_t log_position) override;

  // The accepted batches, and their changes in one sequence.
  std::vector<Changes> batches() const;
  Changes all() const;
  // How many changes were accepted.
  int64_t received() const;
  // Handle calls, failed ones included.
  int calls() const;
  // "schema@P", "snapshot@P" and "batch" in the order the engine called them.
  std::vector<std::string> events() const;
  std::vector<WatchedSchema> schemas() const;

  int failures = 0;
  HandlerResult failure = HandlerResult::Retry("receiver unavailable");

 private:
  mutable std::mutex mutex_;
  std::vector<Changes> batches_;
  std::vector<std::string> events_;
  std::vector<WatchedSchema> schemas_;
  int64_t received_ = 0;
  int calls_ = 0;
};

}  // namespace sqlite_cdc::testing
