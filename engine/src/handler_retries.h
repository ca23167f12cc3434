#pragma once

#include <functional>
#include <optional>
#include <string>

#include "backoff.h"
#include "info_log.h"
#include "sqlite_cdc/changes_handler.h"
#include "sqlite_cdc/options.h"
#include "sqlite_cdc/status.h"
#include "watcher.h"

namespace sqlite_cdc {
class EngineObserver;
}

namespace sqlite_cdc::internal {

// What the engine does when a handler fails: tries again after an exponential backoff with equal
// jitter, within RetryOptions, or gives up. Used for single calls (the schema, the end of a
// bootstrap) and for windows of batches alike. The borrowed parts must outlive it.
class HandlerRetries {
 public:
  HandlerRetries(const RetryOptions& options, EngineObserver* observer, Backoff& backoff, Watcher& watcher,
                 InfoLog log);

  // After the `attempt`-th failure in a row on `where` (named in messages): the Status to stop with
  // when the handler said kFatal or the attempts are used up; else waits out the backoff (cut short
  // by a stop) and returns nullopt.
  std::optional<Status> GiveUpOrBackOff(const HandlerResult& result, int attempt, const std::string& where);

  // Calls `call` until the handler accepts (*accepted), within the bounds; a throw is a kRetry. Ok
  // without *accepted means a stop came during a backoff.
  Status CallUntilAccepted(const std::function<HandlerResult()>& call, const std::string& where, bool* accepted);

 private:
  RetryOptions options_;
  EngineObserver* observer_;
  Backoff& backoff_;
  Watcher& watcher_;
  InfoLog log_;
};

}  // namespace sqlite_cdc::internal
