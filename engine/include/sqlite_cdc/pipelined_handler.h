#pragma once

#include <chrono>
#include <cstddef>

#include "sqlite_cdc/changes_handler.h"

namespace sqlite_cdc {

// What a pipelined handler reports when polled: how many more of the batches it was sent are now
// durable, oldest first, and whether the next one failed.
struct Confirmations {
  size_t batches = 0;  // newly confirmed since the last report, in the order they were sent
  // kSuccess, or why the oldest unconfirmed batch failed. After a failure the handler has forgotten
  // every batch it had not confirmed (their late outcomes are never reported); the engine backs off
  // and sends them again, in log order, from the first unconfirmed one.
  HandlerResult failure;
};

// A handler that takes batches into flight and confirms them later, in order, so that the engine
// reads ahead while a slow destination (a Kafka cluster, an object store) is still storing earlier
// ones. The engine bounds what is in flight (EngineOptions::pipeline) and removes from the log only
// the longest confirmed prefix: a failure or a crash re-delivers what was not confirmed, with the
// same ids and in log order, so per key the last copy a consumer sees is still the newest.
//
// Called from one engine thread. OnSchema may come between two Sends and applies from the next
// batch on; OnSnapshotComplete and Handle come only with nothing in flight.
class PipelinedHandler : public ChangesHandler {
 public:
  // Takes `batch` into flight after those sent before. kSuccess: taken, not yet durable. kRetry or
  // kFatal: not taken, and as after a failure reported by Poll, every unconfirmed batch is forgotten.
  virtual HandlerResult Send(const Changes& batch) = 0;
  // Waits at most `wait` for progress, then reports it. `flush`: the engine has nothing more to send
  // for now and waits for what it sent (an archive stores its open object now rather than at its
  // interval). Without it the handler may hold batches back to group them, within its own bounds.
  // A batch the destination does not confirm within the handler's own timeout is a failure.
  virtual Confirmations Poll(std::chrono::milliseconds wait, bool flush) = 0;
  // The engine read the log to its end: what it sent so far ends where a source transaction ended
  // (a read sees only whole commits). A handler that applies batches in transactions of its own (a
  // replica, Kafka transactions) may commit what it holds at the next Poll, so that its readers
  // never see part of a source transaction and a change is not held back. Not called during a
  // bootstrap. By default nothing.
  virtual void OnCaughtUp() {}

  // One batch at a time, for callers without a pipeline (the engine itself always sends and polls):
  // Send, then Poll with flush until the batch is confirmed or failed. REQUIRES: nothing in flight.
  HandlerResult Handle(const Changes& batch) override;
};

}  // namespace sqlite_cdc
