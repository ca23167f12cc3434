#include "handler_retries.h"

#include <algorithm>
#include <exception>

#include "sqlite_cdc/engine_observer.h"

namespace sqlite_cdc::internal {

HandlerRetries::HandlerRetries(const RetryOptions& options, EngineObserver* observer, Backoff& backoff,
                               Watcher& watcher, InfoLog log)
    : options_(options), observer_(observer), backoff_(backoff), watcher_(watcher), log_(log) {}

std::optional<Status> HandlerRetries::GiveUpOrBackOff(const HandlerResult& result, int attempt,
                                                      const std::string& where) {
  const bool will_retry = result.kind == HandlerResult::Kind::kRetry && attempt < options_.max_attempts;
  if (observer_) observer_->OnHandlerFailure(will_retry);
  if (result.kind == HandlerResult::Kind::kFatal) {
    return Status::HandlerFailed("handler failed on " + where + ": " + result.message);
  }
  if (!will_retry) {
    return Status::HandlerFailed("handler failed " + std::to_string(attempt) + " times on " + where +
                                 "; giving up with the batch still in the log: " + result.message);
  }
  const auto delay = std::max(backoff_.Delay(attempt), std::min(result.retry_after, options_.max_backoff));
  log_.Warn("handler failed on {} (attempt {} of {}), retrying in {} ms: {}", where, attempt, options_.max_attempts,
            delay.count(), result.message);
  watcher_.Sleep(delay);
  return std::nullopt;
}

Status HandlerRetries::CallUntilAccepted(const std::function<HandlerResult()>& call, const std::string& where,
                                         bool* accepted) {
  *accepted = false;
  for (int attempt = 1;; ++attempt) {
    HandlerResult result;
    try {
      result = call();
    } catch (const std::exception& error) {
      result = HandlerResult::Retry(std::string("handler threw: ") + error.what());
    }
    if (result.kind == HandlerResult::Kind::kSuccess) {
      *accepted = true;
      return Status::Ok();
    }
    if (std::optional<Status> given_up = GiveUpOrBackOff(result, attempt, where)) return *given_up;
    if (watcher_.stopped()) return Status::Ok();
  }
}

}  // namespace sqlite_cdc::internal
