#include "log_reader.h"

#include "schema/identifier.h"
#include "utf8.h"

namespace sqlite_cdc::internal {
namespace {

Operation ParseOperation(std::string_view text) {
  if (text == "UPDATE") return Operation::kUpdate;
  if (text == "DELETE") return Operation::kDelete;
  return Operation::kInsert;
}

std::optional<std::string> OptionalText(const Statement& statement, int column) {
  if (statement.IsNull(column)) return std::nullopt;
  std::string text(statement.Text(column));
  RepairUtf8(text);
  return text;
}

}  // namespace

LogReader::LogReader(Database& db, const schema::LogTableNames& names)
    : db_(db),
      read_(db, "SELECT id, timestamp, tablename, operation, key, before, after FROM " +
                    schema::QuoteIdentifier(names.log) + " WHERE id > ?1 ORDER BY id LIMIT ?2"),
      delete_(db, schema::DeleteAcknowledgedSql(names)),
      remember_(db, schema::RememberLastDeletedSql(names)),
      max_id_(db, "SELECT coalesce(max(id), 0) FROM " + schema::QuoteIdentifier(names.log)),
      watermark_(db, "SELECT " + schema::WatermarkExpression(names)) {}

void LogReader::ReadBatch(int64_t after_id, size_t limit, Changes& batch) {
  batch.clear();
  read_.Reset();
  read_.Bind(1, after_id).Bind(2, static_cast<int64_t>(limit));
  while (read_.Step()) {
    Change change;
    change.id = read_.Int(0);
    change.timestamp = std::string(read_.Text(1));
    change.table = std::string(read_.Text(2));
    RepairUtf8(change.table);
    change.operation = ParseOperation(read_.Text(3));
    change.key = OptionalText(read_, 4).value_or("null");
    change.before = OptionalText(read_, 5);
    change.after = OptionalText(read_, 6);
    batch.push_back(std::move(change));
  }
  read_.Reset();
}

void LogReader::Acknowledge(int64_t last_id) {
  WriteTransaction transaction(db_);
  delete_.Reset();
  delete_.Bind(1, last_id).Step();
  remember_.Reset();
  remember_.Bind(1, last_id).Step();
  transaction.Commit();
  delete_.Reset();
  remember_.Reset();
}

int64_t LogReader::MaxId() {
  max_id_.Reset();
  const int64_t id = max_id_.Step() ? max_id_.Int(0) : 0;
  max_id_.Reset();
  return id;
}

int64_t LogReader::Watermark() {
  watermark_.Reset();
  const int64_t id = watermark_.Step() ? watermark_.Int(0) : 0;
  watermark_.Reset();
  return id;
}

}  // namespace sqlite_cdc::internal
