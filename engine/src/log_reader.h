#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "database.h"
#include "dead_letter_file.h"
#include "info_log.h"
#include "schema/log_table_sql.h"
#include "sqlite_cdc/change.h"

namespace sqlite_cdc::internal {

// Reads and acknowledges the change log. Statements are prepared once and reused.
//
// Every row is checked before it becomes a change (ChangeDamage: a known operation, and key, before
// and after JSON objects or NULL as the operation requires), so nothing damaged leaves the engine.
// A damaged row ends the batch before it, so the rows ahead of it are delivered first; read first,
// it is set aside into the dead-letter file when there is one (a warning names its id), else it stops
// the engine (DatabaseError naming its id) and stays in the log with everything after it.
class LogReader {
 public:
  // `dead_letter_path` empty: damaged rows stop the engine.
  LogReader(Database& db, const schema::LogTableNames& names, const std::string& dead_letter_path, InfoLog log);

  // Replaces `batch` with up to `limit` changes with id > after_id, in id order, and returns the
  // id of the last row it consumed: batch.back().id, or above it when damaged rows past it were set
  // aside; after_id when nothing was. Acknowledge up to that id once the batch was accepted (an empty
  // batch with a higher id: only set-aside rows, acknowledged without a handler call). The read is
  // one statement, so it is one snapshot, and no transaction is left open when it returns.
  // The changes already in `batch` are overwritten in place: a batch handed back after use (see
  // DeliveryWindow::TakeSpare) is refilled without allocating its strings again.
  int64_t ReadBatch(int64_t after_id, size_t limit, Changes& batch);

  // Deletes the oldest changes with id <= last_id, at most `max_rows` of them, but never the log's
  // highest row (which keeps ids from being reused), and records the highest id it covered as the
  // watermark, in one write transaction; returns that id (last_id once nothing at or below it is
  // left). `after_id`: the watermark before, where the oldest change starts. `locked`, when set, is
  // called once the write lock is held (after any wait for it).
  int64_t Acknowledge(int64_t after_id, int64_t last_id, size_t max_rows, const std::function<void()>& locked = {});

  // The id of the newest change ever logged: the highest in the log, else the last one delivered
  // and removed, else 0.
  int64_t LastLoggedId();

  // The highest id acknowledged so far: every change at or below it was delivered.
  int64_t Watermark();

 private:
  // Reads the current row of read_ into `change`, reusing its storage; `damage` says why it cannot
  // be a change (empty when it can).
  void ReadChange(Change& change, std::string* damage);
  DamagedRow CurrentRow(const std::string& problem) const;

  Database& db_;
  Statement read_;
  std::optional<std::string> key_;  // the row's key before its check; its storage is reused
  Statement chunk_end_;
  Statement delete_;
  Statement remember_;
  Statement watermark_;
  Statement last_logged_id_;
  std::unique_ptr<DeadLetterFile> dead_letter_;  // null: damaged rows stop the engine
  InfoLog log_;
};

}  // namespace sqlite_cdc::internal
