#pragma once

#include <cstdint>
#include <string>

#include "sqlite_cdc/changes_handler.h"

namespace sqlite_cdc::cli {

// Hands every call on to the output unchanged and keeps count of what the output accepted, for the
// line a run ends with. Called on the engine's thread only; read after the run.
class DeliveryTally : public ChangesHandler {
 public:
  explicit DeliveryTally(ChangesHandler& output) : output_(output) {}

  HandlerResult Handle(const Changes& batch) override;
  HandlerResult OnSchema(const WatchedSchema& schema) override { return output_.OnSchema(schema); }
  HandlerResult OnSnapshotComplete(int64_t log_position) override;

  bool snapshot_complete() const { return snapshot_complete_; }
  int64_t snapshot_rows() const { return snapshot_rows_; }

  // What was accepted: "a snapshot of 3 rows" and/or "2 changes (log ids 4 to 5)", joined by "and".
  std::string Summary(bool snapshot, bool changes) const;

 private:
  ChangesHandler& output_;
  bool snapshot_complete_ = false;
  int64_t snapshot_rows_ = 0;
  int64_t changes_ = 0;
  int64_t first_id_ = 0;
  int64_t last_id_ = 0;
};

}  // namespace sqlite_cdc::cli
