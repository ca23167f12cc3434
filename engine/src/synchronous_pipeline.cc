#include "synchronous_pipeline.h"

#include <exception>
#include <string>

namespace sqlite_cdc::internal {

HandlerResult SynchronousPipeline::Send(const Changes& batch) {
  HandlerResult result;
  try {
    result = handler_.Handle(batch);
  } catch (const std::exception& error) {
    result = HandlerResult::Retry(std::string("handler threw: ") + error.what());
  }
  if (result.kind == HandlerResult::Kind::kSuccess) ++confirmed_;
  return result;
}

Confirmations SynchronousPipeline::Poll(std::chrono::milliseconds /*wait*/, bool /*flush*/) {
  Confirmations confirmations;
  confirmations.batches = confirmed_;
  confirmed_ = 0;
  return confirmations;
}

}  // namespace sqlite_cdc::internal
