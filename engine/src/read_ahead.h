#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "database.h"
#include "db_params.h"
#include "info_log.h"
#include "log_reader.h"
#include "schema/log_table_sql.h"
#include "sqlite_cdc/change.h"

namespace sqlite_cdc::internal {

// Reads the log's next batches on a connection and thread of its own while the engine sends the
// ones before them, so that draining a backlog does not wait for each read in turn.
//
// It reads on only after a full batch (a backlog): a shorter batch means the log was read to its
// end, and what comes next is read by the engine itself when it learns of a change, since a batch
// read ahead of that notice could be older than it.
//
// What it hands out is what the engine's own read at that position would return, or a prefix of it:
// past the cursor the log only grows (ids are given in commit order; acknowledgements delete rows at
// or below the cursor). Anything else (an error, a damaged row, an empty read, a question about
// another position) gives nothing, and the engine reads for itself as before, with its retries and
// its dead-letter file: this reader has no side effects.
//
// Thread-safe between one caller thread and its own; the destructor stops and joins its thread.
class ReadAhead {
 public:
  // `depth` batches are read ahead at most; 0 (or a connection that cannot be opened, which is
  // logged) reads nothing ahead.
  ReadAhead(const std::string& db_path, const std::vector<Pragma>& pragmas, const schema::LogTableNames& names,
            size_t batch_size, size_t depth, InfoLog log);
  ~ReadAhead();
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

  // The batch after `after_id`, when it was read ahead (waiting for a read of it under way): swaps
  // its changes into `batch` (whose old storage serves later reads) and returns the last id it
  // consumed. nullopt when there is none; what was read ahead of another position is dropped.
  std::optional<int64_t> Take(int64_t after_id, Changes& batch);

  // The engine read `size` changes ending at log id `last_id` itself: a full batch starts reading
  // ahead from there.
  void ReadOnAfter(int64_t last_id, size_t size);

  // Forgets everything read ahead (an engine call ended; the next may start elsewhere).
  void Drop();

 private:
  struct Read {
    int64_t after_id = 0;
    int64_t read_up_to = 0;
    Changes changes;
  };

  void Run();
  void ReadWhileAsked();
  void DropLocked();             // REQUIRES: mu_ held
  void Keep(Changes changes);    // storage for later reads, a few batches at most; REQUIRES: mu_ held

  const size_t batch_size_;
  const size_t depth_;
  std::unique_ptr<Database> db_;  // null: nothing is read ahead
  std::unique_ptr<LogReader> reader_;

  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<Read> ready_;
  std::optional<int64_t> next_;  // the position the thread reads (or is reading) next; none: idle
  bool reading_ = false;
  uint64_t generation_ = 0;  // a read begun before a Drop is thrown away
  std::vector<Changes> spares_;
  bool stop_ = false;
  bool broken_ = false;  // the thread ended on an error: nothing more is read ahead
  std::thread thread_;
};

}  // namespace sqlite_cdc::internal
