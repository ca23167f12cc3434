#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "sqlite_cdc/change.h"

namespace sqlite_cdc::sinks {

// One cut object: consecutive batches, their change events as `--output json` prints them.
struct CutObject {
  int64_t first_id = 0;  // of its first change; 0 when it holds none (only empty batches)
  int64_t last_id = 0;
  size_t batches = 0;
  size_t changes = 0;
  std::string lines;
};

struct ObjectBounds {
  std::chrono::milliseconds interval{1000};  // from the open object's first batch
  size_t max_changes = 10000;
  size_t max_bytes = size_t{16} << 20;  // of the event lines
};

// Groups consecutive batches into archive objects. Pure: the caller passes the time and does the
// cutting when told to. A batch is never split, so an object holds whole batches and its ids are as
// contiguous as the batches'; one batch larger than a size bound makes an object of its own.
class ObjectCutter {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit ObjectCutter(ObjectBounds bounds) : bounds_(bounds) {}

  // Appends `batch` to the open object. Returns the object cut before it when the batch would have
  // taken that object past a size bound.
  std::optional<CutObject> Add(const Changes& batch, TimePoint now);
  // The open object has reached a size bound, or its interval has passed at `now`.
  bool Due(TimePoint now) const;
  // When the open object's interval ends; nullopt when nothing is open.
  std::optional<TimePoint> deadline() const;
  bool empty() const { return open_.batches == 0; }
  size_t open_changes() const { return open_.changes; }

  // Closes the open object. REQUIRES: !empty().
  CutObject Cut();
  // Forgets the open object.
  void Clear() { open_ = CutObject{}; }

 private:
  bool Full() const { return open_.changes >= bounds_.max_changes || open_.lines.size() >= bounds_.max_bytes; }

  ObjectBounds bounds_;
  CutObject open_;
  TimePoint opened_at_{};
};

}  // namespace sqlite_cdc::sinks
