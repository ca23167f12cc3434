#include "delivery_window.h"

#include <utility>

namespace sqlite_cdc::internal {
namespace {

size_t SizeOf(const Changes& changes) {
  size_t bytes = 0;
  for (const Change& change : changes) {
    bytes += sizeof(Change) + change.table.size() + change.timestamp.size() + change.key.size() +
             (change.before ? change.before->size() : 0) + (change.after ? change.after->size() : 0);
  }
  return bytes;
}

}  // namespace

DeliveryWindow::DeliveryWindow(size_t max_changes, size_t max_bytes, size_t max_batches)
    : max_changes_(max_changes), max_bytes_(max_bytes), max_batches_(max_batches) {}

bool DeliveryWindow::HasRoom() const {
  if (batches_.empty()) return true;
  return batches_.size() < max_batches_ && changes_ < max_changes_ && bytes_ < max_bytes_;
}

DeliveryWindow::Batch& DeliveryWindow::Add(Changes changes, int64_t read_up_to, size_t rows_read) {
  Batch batch;
  batch.bytes = SizeOf(changes);
  batch.changes = std::move(changes);
  batch.read_up_to = read_up_to;
  batch.rows_read = rows_read;
  changes_ += batch.changes.size();
  bytes_ += batch.bytes;
  batches_.push_back(std::move(batch));
  return batches_.back();
}

DeliveryWindow::Batch* DeliveryWindow::NextUnsent() {
  for (Batch& batch : batches_) {
    if (!batch.sent && !batch.changes.empty()) return &batch;
  }
  return nullptr;
}

void DeliveryWindow::MarkAllUnsent() {
  for (Batch& batch : batches_) batch.sent = false;
}

DeliveryWindow::Batch DeliveryWindow::PopFront() {
  Batch batch = std::move(batches_.front());
  batches_.pop_front();
  changes_ -= batch.changes.size();
  bytes_ -= batch.bytes;
  return batch;
}

void DeliveryWindow::Recycle(Changes changes) {
  constexpr size_t kMaxSpares = 4;
  if (changes.capacity() > 0 && spares_.size() < kMaxSpares) spares_.push_back(std::move(changes));
}

Changes DeliveryWindow::TakeSpare() {
  if (spares_.empty()) return {};
  Changes spare = std::move(spares_.back());
  spares_.pop_back();
  return spare;
}

bool DeliveryWindow::FrontNeedsNoConfirmation() const { return !batches_.empty() && batches_.front().changes.empty(); }

}  // namespace sqlite_cdc::internal
