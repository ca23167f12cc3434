#pragma once

#include <chrono>
#include <cstddef>

#include "sqlite_cdc/change.h"

namespace sqlite_cdc {

// Sees what the engine does, for metrics and health. Called on the engine's thread right after each
// handler call for a batch: implementations must be quick and must synchronise with their readers.
class EngineObserver {
 public:
  virtual ~EngineObserver() = default;
  // The handler accepted `batch` (bootstrap batches included); `handling` is that last call's time.
  virtual void OnBatchDelivered(const Changes& batch, std::chrono::nanoseconds handling) = 0;
  // What is in flight to the handler changed: batches sent and not yet confirmed, and their changes.
  // A plain ChangesHandler has at most one; a PipelinedHandler up to EngineOptions::pipeline.
  virtual void OnInFlight(size_t /*batches*/, size_t /*changes*/) {}
  // A handler call failed or threw; `will_retry` is false when the engine gives up and stops.
  virtual void OnHandlerFailure(bool will_retry) = 0;
  // The database was busy, locked or full (a transient fault); the engine waits and tries again.
  virtual void OnDatabaseRetry() {}
  // What failed with OnDatabaseRetry has now succeeded.
  virtual void OnDatabaseRecovered() {}
};

}  // namespace sqlite_cdc
