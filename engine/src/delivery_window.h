#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "sqlite_cdc/change.h"
#include "sqlite_cdc/env.h"

namespace sqlite_cdc::internal {

// The batches the engine has read from the log and not yet seen confirmed, in log order. Each keeps
// its changes, so that after a failure exactly the same batches are sent again, and the last log id
// its read consumed, which is what the log may be acknowledged up to once it is confirmed.
//
// A batch with no changes (only rows the snapshot already holds, or rows set aside into the
// dead-letter file) is never sent; it is confirmed as soon as everything before it is.
class DeliveryWindow {
 public:
  struct Batch {
    Changes changes;
    int64_t read_up_to = 0;  // the last log id its read consumed
    size_t rows_read = 0;    // log rows consumed, dropped ones included
    size_t bytes = 0;
    bool sent = false;
    Env::Clock::time_point sent_at{};
  };

  // `max_changes`, `max_bytes` and `max_batches` bound what is in flight; one batch is always let in.
  DeliveryWindow(size_t max_changes, size_t max_bytes, size_t max_batches);

  bool empty() const { return batches_.empty(); }
  // Room for another batch.
  bool HasRoom() const;
  size_t batches() const { return batches_.size(); }
  size_t changes() const { return changes_; }

  // Appends a batch just read; returns it, for sending.
  Batch& Add(Changes changes, int64_t read_up_to, size_t rows_read);

  // Whether the oldest batch was sent (batches are sent in order, so some are awaiting confirmation).
  bool FrontSent() const { return !batches_.empty() && batches_.front().sent; }
  // The oldest batch not yet sent; nullptr when every batch was sent.
  Batch* NextUnsent();
  // After a failure every batch is to be sent again.
  void MarkAllUnsent();

  // Takes the oldest batch off the window once it is confirmed. REQUIRES: !empty().
  Batch PopFront();
  // The oldest batch, if it was never to be sent (no changes).
  bool FrontNeedsNoConfirmation() const;

  // A confirmed batch's changes, kept (a few at most) so that the next read refills their storage
  // instead of allocating it again: the log reader overwrites a batch in place.
  void Recycle(Changes changes);
  // A kept batch (its changes to be overwritten), or an empty one.
  Changes TakeSpare();

 private:
  size_t max_changes_;
  size_t max_bytes_;
  size_t max_batches_;
  std::deque<Batch> batches_;
  size_t changes_ = 0;
  size_t bytes_ = 0;
  std::vector<Changes> spares_;
};

}  // namespace sqlite_cdc::internal
