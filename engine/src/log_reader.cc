#include "log_reader.h"

#include <algorithm>

#include "change_validation.h"
#include "schema/identifier.h"
#include "utf8.h"

namespace sqlite_cdc::internal {
namespace {

std::optional<std::string> RawText(const Statement& statement, int column) {
  if (statement.IsNull(column)) return std::nullopt;
  return std::string(statement.Text(column));
}

// A column's text (nullopt for NULL) into `text`, valid UTF-8, reusing its storage where it can.
void ReadText(const Statement& statement, int column, std::optional<std::string>& text) {
  if (statement.IsNull(column)) {
    text.reset();
    return;
  }
  if (text) {
    text->assign(statement.Text(column));
  } else {
    text.emplace(statement.Text(column));
  }
  RepairUtf8(*text);
}

// A column's text fit for one log line: valid UTF-8, no control characters, at most 64 bytes.
std::string Printable(std::string text) {
  if (text.size() > 64) text = text.substr(0, 64) + "...";
  RepairUtf8(text);
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return text;
}

}  // namespace

LogReader::LogReader(Database& db, const schema::LogTableNames& names, const std::string& dead_letter_path, InfoLog log)
    : db_(db),
      read_(db, "SELECT id, timestamp, tablename, operation, key, before, after FROM " +
                    schema::QuoteIdentifier(names.log) + " WHERE id > ?1 ORDER BY id LIMIT ?2"),
      chunk_end_(db, "SELECT id FROM " + schema::QuoteIdentifier(names.log) +
                         " WHERE id > ?1 AND id < ?2 ORDER BY id LIMIT 1 OFFSET ?3"),
      delete_(db, schema::DeleteAcknowledgedSql(names)),
      remember_(db, schema::RememberLastDeletedSql(names)),
      watermark_(db, "SELECT " + schema::WatermarkExpression(names)),
      last_logged_id_(db, schema::LastLoggedIdSql(names)),
      log_(log) {
  if (!dead_letter_path.empty()) dead_letter_ = std::make_unique<DeadLetterFile>(dead_letter_path);
}

void LogReader::ReadChange(Change& change, std::string* damage) {
  change.id = read_.Int(0);
  change.timestamp.assign(read_.Text(1));
  RepairUtf8(change.timestamp);
  change.table.assign(read_.Text(2));
  RepairUtf8(change.table);
  change.bootstrap = false;
  const std::optional<Operation> operation = ParseOperation(read_.Text(3));
  ReadText(read_, 4, key_);
  ReadText(read_, 5, change.before);
  ReadText(read_, 6, change.after);
  if (!operation) {
    *damage = "operation is not INSERT, UPDATE or DELETE";
  } else {
    change.operation = *operation;
    *damage = ChangeDamage(change.operation, key_, change.before, change.after);
  }
  if (key_) {
    change.key.swap(*key_);  // the key's old storage serves the next row
  } else {
    change.key.assign("null");
  }
}

DamagedRow LogReader::CurrentRow(const std::string& problem) const {
  DamagedRow row;
  row.id = read_.Int(0);
  row.timestamp = std::string(read_.Text(1));
  row.table = std::string(read_.Text(2));
  row.operation = std::string(read_.Text(3));
  row.key = RawText(read_, 4);
  row.before = RawText(read_, 5);
  row.after = RawText(read_, 6);
  row.problem = problem;
  return row;
}

int64_t LogReader::ReadBatch(int64_t after_id, size_t limit, Changes& batch) {
  size_t read = 0;  // changes of `batch` filled by this read; the rest are spare storage
  int64_t consumed = after_id;
  std::optional<DamagedRow> stop;
  read_.Reset();
  read_.Bind(1, after_id).Bind(2, static_cast<int64_t>(limit));
  std::string damage;
  while (read_.Step()) {
    if (read == batch.size()) batch.emplace_back();
    Change& change = batch[read];
    ReadChange(change, &damage);
    if (!damage.empty()) {
      if (read > 0) break;  // the rows ahead of it go first; it leads the next read
      DamagedRow row = CurrentRow(damage);
      if (!dead_letter_) {
        stop = std::move(row);
        break;
      }
      dead_letter_->Append(row);
      log_.Warn("log id {} (table {}, operation {}) is damaged: {}; set aside into {} and skipped", row.id,
                Printable(row.table), Printable(row.operation), damage, dead_letter_->path());
      consumed = row.id;
      continue;
    }
    consumed = change.id;
    ++read;
  }
  batch.resize(read);
  read_.Reset();
  if (stop) {
    throw Corruption("log id " + std::to_string(stop->id) + " (table " + Printable(stop->table) + ", operation " +
                     Printable(stop->operation) + ") is damaged: " + stop->problem +
                     "; it and every change after it stay in the log undelivered. Repair or delete that row, "
                     "or name a file in dead_letter_path where damaged rows are set aside (see the README)");
  }
  return consumed;
}

int64_t LogReader::Acknowledge(int64_t after_id, int64_t last_id, size_t max_rows,
                               const std::function<void()>& locked) {
  WriteTransaction transaction(db_);
  if (locked) locked();
  // The max_rows-th change after after_id, when it is below last_id, ends this deletion.
  const size_t offset = std::clamp<size_t>(max_rows, 1, INT64_MAX) - 1;
  chunk_end_.Reset();
  chunk_end_.Bind(1, after_id).Bind(2, last_id).Bind(3, static_cast<int64_t>(offset));
  if (chunk_end_.Step()) last_id = chunk_end_.Int(0);
  chunk_end_.Reset();
  delete_.Reset();
  delete_.Bind(1, last_id).Step();
  remember_.Reset();
  remember_.Bind(1, last_id).Step();
  transaction.Commit();
  delete_.Reset();
  remember_.Reset();
  return last_id;
}

int64_t LogReader::LastLoggedId() { return last_logged_id_.QueryInt(); }

int64_t LogReader::Watermark() { return watermark_.QueryInt(); }

}  // namespace sqlite_cdc::internal
