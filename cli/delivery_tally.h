#pragma once

#include <cstdint>
#include <string>

#include "sqlite_cdc/engine_observer.h"

namespace sqlite_cdc::cli {

// Counts what the output confirmed, for the line a run ends with, and passes every call on to
// `next` (the metrics, or nothing). It listens to the engine rather than wrapping the output, so the
// output keeps its own kind (a pipelined one stays pipelined). Called on the engine's thread only;
// read after the run.
class DeliveryTally : public EngineObserver {
 public:
  explicit DeliveryTally(EngineObserver* next) : next_(next) {}

  void OnBatchDelivered(const Changes& batch, std::chrono::nanoseconds handling) override;
  void OnInFlight(size_t batches, size_t changes) override;
  void OnHandlerFailure(bool will_retry) override;
  void OnDatabaseRetry() override;
  void OnDatabaseRecovered() override;

  int64_t snapshot_rows() const { return snapshot_rows_; }

  // What was accepted: "a snapshot of 3 rows" and/or "2 changes (log ids 4 to 5)", joined by "and".
  std::string Summary(bool snapshot, bool changes) const;

 private:
  EngineObserver* next_;
  int64_t snapshot_rows_ = 0;
  int64_t changes_ = 0;
  int64_t first_id_ = 0;
  int64_t last_id_ = 0;
};

}  // namespace sqlite_cdc::cli
