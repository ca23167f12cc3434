#include "sqlite_cdc/pipelined_handler.h"

namespace sqlite_cdc {

HandlerResult PipelinedHandler::Handle(const Changes& batch) {
  if (HandlerResult sent = Send(batch); sent.kind != HandlerResult::Kind::kSuccess) return sent;
  for (;;) {
    Confirmations confirmed = Poll(std::chrono::milliseconds(100), /*flush=*/true);
    if (confirmed.failure.kind != HandlerResult::Kind::kSuccess) return confirmed.failure;
    if (confirmed.batches > 0) return HandlerResult::Success();
  }
}

}  // namespace sqlite_cdc
