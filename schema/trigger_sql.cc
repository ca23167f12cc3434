#include "schema/trigger_sql.h"

#include "schema/identifier.h"
#include "schema/image_sql.h"

namespace sqlite_cdc::schema {
namespace {

constexpr const char* kSuffixes[] = {"__cdc_insert", "__cdc_update", "__cdc_delete"};

const char* Suffix(TriggerEvent event) { return kSuffixes[static_cast<int>(event)]; }

bool EndsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// One log row. `key`, `before` and `after` are SQL expressions; `condition` may be empty.
struct LogRow {
  const char* operation;
  std::string key;
  std::string before;
  std::string after;
  std::string condition;
};

std::string InsertLogRow(const TableSchema& table, const TriggerOptions& options, const LogRow& row) {
  std::string values = NextLogIdExpression(options.names) + ", " + TimestampExpression(options.subsecond) +
                       ", " + QuoteLiteral(table.name) + ", '" + row.operation + "', " + row.key + ", " +
                       row.before + ", " + row.after;
  std::string sql = "INSERT INTO " + QuoteIdentifier(options.names.log) +
                    " (id, timestamp, tablename, operation, key, before, after) ";
  if (row.condition.empty()) return sql + "VALUES (" + values + ");";
  return sql + "SELECT " + values + " WHERE " + row.condition + ";";
}

std::string Trigger(const TableSchema& table, TriggerEvent event, const char* sql_event,
                    const std::vector<std::string>& statements) {
  std::string sql = "CREATE TRIGGER " + QuoteIdentifier(TriggerName(table.name, event)) + " AFTER " +
                    sql_event + " ON " + QuoteIdentifier(table.name) + " BEGIN\n";
  for (const std::string& statement : statements) sql += "  " + statement + "\n";
  return sql + "END";
}

}  // namespace

std::string TriggerName(const std::string& table, TriggerEvent event) { return table + Suffix(event); }

bool LooksLikeCdcTriggerName(const std::string& name) {
  for (const char* suffix : kSuffixes) {
    if (EndsWith(name, suffix)) return true;
  }
  return false;
}

std::string TimestampExpression(bool subsecond) {
  return subsecond ? "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')" : "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')";
}

std::vector<TriggerSql> GenerateTriggers(const TableSchema& table, const TriggerOptions& options) {
  const std::string new_image = ImageExpression(table, "NEW", options.blobs);
  const std::string old_image = ImageExpression(table, "OLD", options.blobs);
  const std::string new_key = KeyExpression(table, "NEW");
  const std::string old_key = KeyExpression(table, "OLD");
  const std::string same_key = SameKeyCondition(table);

  std::vector<TriggerSql> triggers;
  triggers.push_back({TriggerName(table.name, TriggerEvent::kInsert),
                      Trigger(table, TriggerEvent::kInsert, "INSERT",
                              {InsertLogRow(table, options, {"INSERT", new_key, "NULL", new_image, ""})})});
  triggers.push_back(
      {TriggerName(table.name, TriggerEvent::kUpdate),
       Trigger(table, TriggerEvent::kUpdate, "UPDATE",
               {InsertLogRow(table, options, {"UPDATE", new_key, old_image, new_image, same_key}),
                InsertLogRow(table, options, {"DELETE", old_key, old_image, "NULL", "NOT (" + same_key + ")"}),
                InsertLogRow(table, options, {"INSERT", new_key, "NULL", new_image, "NOT (" + same_key + ")"})})});
  triggers.push_back({TriggerName(table.name, TriggerEvent::kDelete),
                      Trigger(table, TriggerEvent::kDelete, "DELETE",
                              {InsertLogRow(table, options, {"DELETE", old_key, old_image, "NULL", ""})})});
  return triggers;
}

std::string DropTriggerSql(const std::string& trigger_name) {
  return "DROP TRIGGER IF EXISTS " + QuoteIdentifier(trigger_name);
}

}  // namespace sqlite_cdc::schema
