#pragma once

#include "sqlite_cdc/pipelined_handler.h"

namespace sqlite_cdc::internal {

// A plain ChangesHandler seen as a pipeline one batch deep: Send hands the batch over and it is
// confirmed (or failed) by the time Send returns, so the engine has one loop for both kinds. A
// handler that throws is a kRetry naming what it threw.
class SynchronousPipeline : public PipelinedHandler {
 public:
  // `handler` is not owned and must outlive this.
  explicit SynchronousPipeline(ChangesHandler& handler) : handler_(handler) {}

  HandlerResult Send(const Changes& batch) override;
  Confirmations Poll(std::chrono::milliseconds wait, bool flush) override;
  HandlerResult Handle(const Changes& batch) override { return handler_.Handle(batch); }
  HandlerResult OnSchema(const WatchedSchema& schema) override { return handler_.OnSchema(schema); }
  HandlerResult OnSnapshotComplete(int64_t log_position) override { return handler_.OnSnapshotComplete(log_position); }

 private:
  ChangesHandler& handler_;
  size_t confirmed_ = 0;  // accepted since the last Poll
};

}  // namespace sqlite_cdc::internal
