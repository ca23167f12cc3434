#include "schema/trigger_sql.h"

#include <algorithm>

#include "schema/identifier.h"
#include "schema/image_sql.h"

namespace sqlite_cdc::schema {
namespace {

constexpr const char* kSuffixes[] = {"__cdc_insert", "__cdc_update", "__cdc_delete", "__cdc_rekey", "__cdc_evict"};

// An OR of many terms nests one level per term; SQLite refuses expressions deeper than 1000, so
// wide tables are compared in parenthesised groups.
constexpr size_t kTermsPerGroup = 50;

const char* Suffix(TriggerEvent event) { return kSuffixes[static_cast<int>(event)]; }

bool EndsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string Join(const std::vector<std::string>& terms, const std::string& separator) {
  std::string sql;
  for (const std::string& term : terms) sql += (sql.empty() ? "" : separator) + term;
  return sql;
}

std::string AnyOf(const std::vector<std::string>& terms) {
  if (terms.size() <= kTermsPerGroup) return "(" + Join(terms, " OR ") + ")";
  std::vector<std::string> groups;
  for (size_t start = 0; start < terms.size(); start += kTermsPerGroup) {
    const auto end = terms.begin() + static_cast<std::ptrdiff_t>(std::min(terms.size(), start + kTermsPerGroup));
    groups.push_back("(" + Join({terms.begin() + static_cast<std::ptrdiff_t>(start), end}, " OR ") + ")");
  }
  return "(" + Join(groups, " OR ") + ")";
}

struct Context {
  const TableSchema& table;
  const TriggerOptions& options;

  std::string LogColumns() const {
    return "INSERT INTO " + QuoteIdentifier(options.names.log) +
           " (timestamp, tablename, operation, key, before, after) ";
  }

  // One log row; `key`, `before` and `after` are SQL expressions.
  std::string LogRow(const char* operation, const std::string& key, const std::string& before,
                     const std::string& after) const {
    return LogColumns() + "VALUES (" + TimestampExpression(options.subsecond) + ", " + QuoteLiteral(table.name) +
           ", '" + operation + "', " + key + ", " + before + ", " + after + ");";
  }

  std::string Evicted() const { return QuoteIdentifier(options.names.evicted); }
  std::string ThisTable() const { return "tablename = " + QuoteLiteral(table.name); }

  std::string Trigger(TriggerEvent event, const std::string& timing, const std::string& when,
                      const std::vector<std::string>& statements) const {
    std::string sql = "CREATE TRIGGER " + QuoteIdentifier(TriggerName(table.name, event)) + " " + timing + " ON " +
                      QuoteIdentifier(table.name);
    if (!when.empty()) sql += " WHEN " + when;
    sql += " BEGIN\n";
    for (const std::string& statement : statements) sql += "  " + statement + "\n";
    return sql + "END";
  }

  // For each way a new row can conflict with a stored one (the rowid, each unique index): the
  // condition that `stored` conflicts with NEW, compared with the index's collation. NULLs never
  // conflict, as in SQLite. A partial index's condition is left out: the candidates are a superset.
  std::vector<std::string> ConflictConditions(const std::string& stored) const {
    std::vector<std::string> conditions;
    if (!table.without_rowid && !table.RowidAlias().empty()) {
      conditions.push_back(stored + "." + table.RowidAlias() + " = NEW." + table.RowidAlias());
    }
    for (const UniqueKey& key : table.unique_keys) {
      std::vector<std::string> equal;
      for (size_t i = 0; i < key.columns.size(); ++i) {
        const std::string column = QuoteIdentifier(key.columns[i]);
        equal.push_back(stored + "." + column + " = NEW." + column + " COLLATE " + QuoteIdentifier(key.collations[i]));
      }
      conditions.push_back("(" + Join(equal, " AND ") + ")");
    }
    return conditions;
  }

  // True when the UPDATE changed something the image shows. IS compares with the column's
  // collation and takes 1 and 1.0 as equal, so the comparison is binary, and the type is compared
  // too where a column can hold both.
  std::string ImageChanged() const {
    std::vector<std::string> terms;
    for (const Column& column : table.columns) {
      if (!options.blobs && IsBlobDeclared(column)) continue;
      const std::string name = QuoteIdentifier(column.name);
      terms.push_back("OLD." + name + " IS NOT NEW." + name + " COLLATE BINARY");
      if (HoldsIntegersAndReals(table, column)) terms.push_back("typeof(OLD." + name + ") <> typeof(NEW." + name + ")");
    }
    if (terms.empty()) return "0";
    return AnyOf(terms);
  }
};

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
  const Context context{table, options};
  const std::string new_image = ImageExpression(table, "NEW", options.blobs);
  const std::string old_image = ImageExpression(table, "OLD", options.blobs);
  const std::string new_key = KeyExpression(table, "NEW");
  const std::string old_key = KeyExpression(table, "OLD");
  const std::string same_key = SameKeyCondition(table);
  const std::string from = QuoteIdentifier(table.name);

  // A stashed row was evicted when its rowid went to the new row or no longer exists; a row an
  // INSERT OR IGNORE, DO NOTHING or DO UPDATE left in place, or one outside a partial index, is not.
  // WITHOUT ROWID tables have no rowid: their key says the same, but finding a key means imaging
  // every row, so it is only checked where a partial index makes candidates that are not evicted.
  // What identifies a row of a rowid table: the rowid, or the key when every alias is a column.
  const std::string rowid = table.without_rowid          ? ""
                            : table.RowidAlias().empty() ? QuoteIdentifier(table.KeyColumns().front().name)
                                                         : table.RowidAlias();
  std::string evicted_rows = context.ThisTable();
  if (!table.without_rowid) {
    evicted_rows += " AND (rid = NEW." + rowid + " OR NOT EXISTS (SELECT 1 FROM " + from + " WHERE " + from + "." +
                    rowid + " = rid))";
  } else if (std::any_of(table.unique_keys.begin(), table.unique_keys.end(),
                         [](const UniqueKey& key) { return key.partial; })) {
    evicted_rows += " AND (key = " + new_key + " OR NOT EXISTS (SELECT 1 FROM " + from + " WHERE " +
                    KeyExpression(table, from) + " = key))";
  }
  const std::string log_evictions = context.LogColumns() + "SELECT " + TimestampExpression(options.subsecond) +
                                    ", tablename, 'DELETE', key, before, NULL FROM " + context.Evicted() + " WHERE " +
                                    evicted_rows + " ORDER BY n;";
  const std::string clear_evicted = "DELETE FROM " + context.Evicted() + " WHERE " + context.ThisTable() + ";";

  const std::vector<std::string> conflicts = context.ConflictConditions(from);
  std::vector<std::string> conflict_exists;
  conflict_exists.push_back("EXISTS (SELECT 1 FROM " + context.Evicted() + " WHERE " + context.ThisTable() + ")");
  for (const std::string& condition : conflicts) {
    conflict_exists.push_back("EXISTS (SELECT 1 FROM " + from + " WHERE " + condition + ")");
  }
  const std::string rid = table.without_rowid ? "NULL" : from + "." + rowid;
  const std::string stash = "INSERT INTO " + context.Evicted() + " (tablename, rid, key, before) SELECT " +
                            QuoteLiteral(table.name) + ", " + rid + ", " + KeyExpression(table, from) + ", " +
                            ImageExpression(table, from, options.blobs) + " FROM " + from + " WHERE " +
                            Join(conflicts, " OR ") + ";";

  std::string update_when = same_key;
  if (!options.keep_unchanged_updates) update_when = "(" + same_key + ") AND " + context.ImageChanged();

  std::vector<TriggerSql> triggers;
  auto add = [&](TriggerEvent event, const std::string& timing, const std::string& when,
                 const std::vector<std::string>& statements) {
    triggers.push_back({TriggerName(table.name, event), context.Trigger(event, timing, when, statements)});
  };
  const bool evictions = !table.BeforeInsertTriggerChangesOutcomes();
  std::vector<std::string> on_insert;
  if (evictions) on_insert = {log_evictions, clear_evicted};
  on_insert.push_back(context.LogRow("INSERT", new_key, "NULL", new_image));
  add(TriggerEvent::kInsert, "AFTER INSERT", "", on_insert);
  add(TriggerEvent::kUpdate, "AFTER UPDATE", update_when, {context.LogRow("UPDATE", new_key, old_image, new_image)});
  add(TriggerEvent::kDelete, "AFTER DELETE", "", {context.LogRow("DELETE", old_key, old_image, "NULL")});
  add(TriggerEvent::kRekey, "AFTER UPDATE", "NOT (" + same_key + ")",
      {context.LogRow("DELETE", old_key, old_image, "NULL"), context.LogRow("INSERT", new_key, "NULL", new_image)});
  if (evictions) add(TriggerEvent::kEvict, "BEFORE INSERT", Join(conflict_exists, " OR "), {clear_evicted, stash});
  return triggers;
}

std::string DropTriggerSql(const std::string& trigger_name) {
  return "DROP TRIGGER IF EXISTS " + QuoteIdentifier(trigger_name);
}

}  // namespace sqlite_cdc::schema
