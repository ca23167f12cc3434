#include "read_ahead.h"

#include <utility>

#include "capture.h"

namespace sqlite_cdc::internal {

ReadAhead::ReadAhead(const std::string& db_path, const std::vector<Pragma>& pragmas,
                     const schema::LogTableNames& names, size_t batch_size, size_t depth, InfoLog log)
    : batch_size_(batch_size), depth_(depth) {
  if (depth_ == 0) return;
  if (sqlite3_threadsafe() == 0) {
    log.Warn("the log is read on one connection only (no read-ahead): this SQLite library is built without threads");
    return;
  }
  try {
    db_ = std::make_unique<Database>(Database::OpenExisting(db_path));
    ApplyPragmas(*db_, pragmas);
    // No dead-letter file: a damaged row ends its read, and the engine's own read sets it aside.
    reader_ = std::make_unique<LogReader>(*db_, names, "", log);
  } catch (const std::exception& error) {
    log.Warn("the log is read on one connection only (no read-ahead): {}", error.what());
    reader_.reset();
    db_.reset();
    return;
  }
  thread_ = std::thread([this] { Run(); });
}

ReadAhead::~ReadAhead() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::optional<int64_t> ReadAhead::Take(int64_t after_id, Changes& batch) {
  std::unique_lock lock(mu_);
  for (;;) {
    if (!ready_.empty()) {
      if (ready_.front().after_id != after_id) break;
      Read& read = ready_.front();
      std::swap(batch, read.changes);
      const int64_t read_up_to = read.read_up_to;
      Keep(std::move(read.changes));
      ready_.pop_front();
      changed_.notify_all();
      return read_up_to;
    }
    if (next_ != after_id) break;
    changed_.wait(lock);  // the read of it is under way or about to begin
  }
  DropLocked();
  return std::nullopt;
}

void ReadAhead::ReadOnAfter(int64_t last_id, size_t size) {
  if (!reader_ || size < batch_size_) return;
  std::lock_guard lock(mu_);
  DropLocked();
  if (broken_) return;
  next_ = last_id;
  changed_.notify_all();
}

void ReadAhead::Drop() {
  std::lock_guard lock(mu_);
  DropLocked();
}

void ReadAhead::DropLocked() {
  for (Read& read : ready_) Keep(std::move(read.changes));
  ready_.clear();
  next_.reset();
  ++generation_;
  changed_.notify_all();
}

void ReadAhead::Keep(Changes changes) {
  if (spares_.size() <= depth_) spares_.push_back(std::move(changes));
}

void ReadAhead::Run() {
  try {
    ReadWhileAsked();
  } catch (const std::exception&) {
    // Out of memory outside a read: read nothing ahead from now on; the engine reads for itself.
    std::lock_guard lock(mu_);
    broken_ = true;
    ready_.clear();
    next_.reset();
    changed_.notify_all();
  }
}

void ReadAhead::ReadWhileAsked() {
  std::unique_lock lock(mu_);
  for (;;) {
    changed_.wait(lock, [&] { return stop_ || (next_ && !reading_ && ready_.size() < depth_); });
    if (stop_) return;
    Read read;
    read.after_id = *next_;
    if (!spares_.empty()) {
      read.changes = std::move(spares_.back());
      spares_.pop_back();
    }
    const uint64_t generation = generation_;
    reading_ = true;
    lock.unlock();
    bool ok = true;
    try {
      read.read_up_to = reader_->ReadBatch(read.after_id, batch_size_, read.changes);
    } catch (const std::exception&) {
      ok = false;  // the engine's own read meets it again and handles it
    }
    lock.lock();
    reading_ = false;
    const bool current = generation == generation_;
    if (!current || !ok || read.changes.empty()) {
      Keep(std::move(read.changes));
      if (current) next_.reset();
    } else {
      next_ = read.changes.size() == batch_size_ ? std::optional<int64_t>(read.read_up_to) : std::nullopt;
      ready_.push_back(std::move(read));
    }
    changed_.notify_all();
  }
}

}  // namespace sqlite_cdc::internal
