#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "delivery_window.h"
#include "handler_retries.h"
#include "info_log.h"
#include "sqlite_cdc/env.h"
#include "sqlite_cdc/pipelined_handler.h"
#include "sqlite_cdc/status.h"
#include "watcher.h"

namespace sqlite_cdc {
class EngineObserver;
}

namespace sqlite_cdc::internal {

// Hands batches to a PipelinedHandler ahead of their confirmations, within the window's bounds, and
// reports each one confirmed once it and every batch before it are. After a failure it sends the
// whole window again, in order, after the backoff (HandlerRetries). Called from one thread; the
// borrowed parts must outlive it.
class DeliveryPump {
 public:
  // Adds the next batch to the window, or sets *end when there is none; non-Ok ends the pump.
  using ReadOne = std::function<Status(DeliveryWindow& window, bool* end)>;
  using Confirmed = std::function<void(const DeliveryWindow::Batch&)>;

  struct Parts {
    Watcher& watcher;  // its stop ends the pump; its Sleep is the backoff
    HandlerRetries& retries;
    EngineObserver* observer;  // may be null
    Env* env;
    InfoLog log;
  };

  DeliveryPump(PipelinedHandler& handler, DeliveryWindow window, Confirmed confirmed, Parts parts);

  PipelinedHandler& handler() { return handler_; }
  const DeliveryWindow& window() const { return window_; }
  bool has_unsent() { return window_.NextUnsent() != nullptr; }

  // Reads (read_one) and sends while the window has room, and collects confirmations, calling
  // `idle` after each batch and between rounds. Returns when read_one has no more and, with `confirm_all`, everything
  // sent was confirmed (without it, after one look at the confirmations); at a stop; or with the
  // Status that ended it (a give-up, or read_one's).
  Status Pump(const ReadOne& read_one, bool confirm_all, const std::function<void()>& idle);

  // Polls the handler once, waiting at most `wait`, and takes what it confirmed off the window; a
  // failure is retried (Ok, the window to be sent again) or given up (the Status).
  Status Collect(bool flush, std::chrono::milliseconds wait = std::chrono::milliseconds(0));

  // At the end of a run: waits up to `grace` (real time) for what was sent to be confirmed.
  void Settle(std::chrono::milliseconds grace);

 private:
  Status SendUnsent();
  Confirmations PollHandler(std::chrono::milliseconds wait, bool flush);
  void ConfirmFront(size_t sent);
  Status AfterFailure(const HandlerResult& result);

  PipelinedHandler& handler_;
  DeliveryWindow window_;
  Confirmed confirmed_;
  Parts parts_;
  int failures_ = 0;  // in a row, without a confirmation between them
};

// While batches are in flight, the engine asks for their confirmations at least this often.
inline constexpr std::chrono::milliseconds kConfirmationPollInterval{20};

}  // namespace sqlite_cdc::internal
