#include "delivery_pump.h"

#include <exception>
#include <utility>

#include "sqlite_cdc/engine_observer.h"

namespace sqlite_cdc::internal {
namespace {

std::string BatchRange(const Changes& batch) {
  if (batch.front().bootstrap) return "a bootstrap batch of " + std::to_string(batch.size()) + " rows";
  return "log ids " + std::to_string(batch.front().id) + ".." + std::to_string(batch.back().id);
}

}  // namespace

DeliveryPump::DeliveryPump(PipelinedHandler& handler, DeliveryWindow window, Confirmed confirmed, Parts parts)
    : handler_(handler), window_(std::move(window)), confirmed_(std::move(confirmed)), parts_(parts) {}

Status DeliveryPump::Pump(const ReadOne& read_one, bool confirm_all, const std::function<void()>& idle) {
  bool end = false;
  while (!parts_.watcher.stopped()) {
    if (Status status = SendUnsent(); !status.ok()) return status;
    while (!end && window_.HasRoom() && !has_unsent() && !parts_.watcher.stopped()) {
      if (Status status = read_one(window_, &end); !status.ok()) return status;
      if (Status status = SendUnsent(); !status.ok()) return status;
      // What is confirmed by now leaves the window at once: the window stays as small as the
      // destination's latency makes it, not as large as its bound.
      if (Status status = Collect(/*flush=*/false); !status.ok()) return status;
      idle();  // what was confirmed leaves the log when it is due, not only when reading stops
    }
    ConfirmFront(0);
    idle();
    if (window_.empty() && end) return Status::Ok();
    if (has_unsent()) continue;  // a failure asked to send again
    if (end && !confirm_all) return Collect(/*flush=*/false);
    // Full, or everything is read: nothing more is sent until confirmations come, so ask for them.
    if (Status status = Collect(/*flush=*/true, kConfirmationPollInterval); !status.ok()) return status;
  }
  return Status::Ok();
}

Status DeliveryPump::SendUnsent() {
  for (DeliveryWindow::Batch* next = window_.NextUnsent(); next && !parts_.watcher.stopped();
       next = window_.NextUnsent()) {
    HandlerResult result;
    try {
      result = handler_.Send(next->changes);
    } catch (const std::exception& error) {
      result = HandlerResult::Retry(std::string("handler threw: ") + error.what());
    }
    next->sent = true;
    next->sent_at = parts_.env->Now();
    if (result.kind != HandlerResult::Kind::kSuccess) {
      // Confirmations that came before the refusal still count.
      ConfirmFront(PollHandler(std::chrono::milliseconds(0), /*flush=*/false).batches);
      return AfterFailure(result);
    }
    if (parts_.observer) parts_.observer->OnInFlight(window_.batches(), window_.changes());
  }
  return Status::Ok();
}

Status DeliveryPump::Collect(bool flush, std::chrono::milliseconds wait) {
  if (window_.empty()) return Status::Ok();
  const Confirmations confirmed = PollHandler(wait, flush);
  ConfirmFront(confirmed.batches);
  if (confirmed.failure.kind != HandlerResult::Kind::kSuccess) return AfterFailure(confirmed.failure);
  return Status::Ok();
}

void DeliveryPump::Settle(std::chrono::milliseconds grace) {
  const auto deadline = std::chrono::steady_clock::now() + grace;
  ConfirmFront(0);
  // What was sent may still be confirmed; what a stop kept from being sent, or a failure marked to be
  // sent again, stays in the log.
  while (window_.FrontSent() && std::chrono::steady_clock::now() < deadline) {
    const Confirmations confirmed = PollHandler(kConfirmationPollInterval, /*flush=*/true);
    ConfirmFront(confirmed.batches);
    if (confirmed.failure.kind != HandlerResult::Kind::kSuccess) break;
  }
  if (!window_.empty()) {
    parts_.log.Info("{} changes in flight were not confirmed; they will be delivered again", window_.changes());
  }
}

Confirmations DeliveryPump::PollHandler(std::chrono::milliseconds wait, bool flush) {
  try {
    return handler_.Poll(wait, flush);
  } catch (const std::exception& error) {
    Confirmations failed;
    failed.failure = HandlerResult::Retry(std::string("handler threw: ") + error.what());
    return failed;
  }
}

void DeliveryPump::ConfirmFront(size_t sent) {
  EngineObserver* observer = parts_.observer;
  bool popped = false;
  while (!window_.empty()) {
    if (!window_.FrontNeedsNoConfirmation()) {
      if (sent == 0) break;
      --sent;
    }
    popped = true;
    DeliveryWindow::Batch batch = window_.PopFront();
    confirmed_(batch);
    if (!batch.changes.empty()) {
      failures_ = 0;
      if (observer) observer->OnBatchDelivered(batch.changes, parts_.env->Now() - batch.sent_at);
    }
    window_.Recycle(std::move(batch.changes));
  }
  if (observer && popped) observer->OnInFlight(window_.batches(), window_.changes());
}

Status DeliveryPump::AfterFailure(const HandlerResult& result) {
  window_.MarkAllUnsent();
  const DeliveryWindow::Batch* first = window_.NextUnsent();
  // A stop during the backoff ends the run with the window still to send.
  return parts_.retries.GiveUpOrBackOff(result, ++failures_, first ? BatchRange(first->changes) : "a batch")
      .value_or(Status::Ok());
}

}  // namespace sqlite_cdc::internal
