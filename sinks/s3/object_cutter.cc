#include "sinks/s3/object_cutter.h"

#include <utility>

#include "sinks/s3/archive_layout.h"

namespace sqlite_cdc::sinks {

std::optional<CutObject> ObjectCutter::Add(const Changes& batch, TimePoint now) {
  std::string lines = EventLines(batch);
  std::optional<CutObject> cut;
  if (!empty() && !open_.lines.empty() &&
      (open_.changes + batch.size() > bounds_.max_changes || open_.lines.size() + lines.size() > bounds_.max_bytes)) {
    cut = Cut();
  }
  if (empty()) opened_at_ = now;
  if (!batch.empty()) {
    if (open_.changes == 0) open_.first_id = batch.front().id;
    open_.last_id = batch.back().id;
  }
  ++open_.batches;
  open_.changes += batch.size();
  open_.lines += lines;
  return cut;
}

bool ObjectCutter::Due(TimePoint now) const { return !empty() && (Full() || now - opened_at_ >= bounds_.interval); }

std::optional<ObjectCutter::TimePoint> ObjectCutter::deadline() const {
  if (empty()) return std::nullopt;
  return opened_at_ + bounds_.interval;
}

CutObject ObjectCutter::Cut() { return std::exchange(open_, CutObject{}); }

}  // namespace sqlite_cdc::sinks
