#include "schema/trigger_sql.h"

#include <algorithm>
#include <map>

#include "schema/identifier.h"
#include "schema/image_sql.h"

namespace sqlite_cdc::schema {
namespace {

constexpr const char* kSuffixes[] = {"__cdc_insert", "__cdc_update",       "__cdc_delete",        "__cdc_rekey",
                                     "__cdc_evict",  "__cdc_update_stash", "__cdc_update_evicted"};

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

  // One way a new row can conflict with a stored one (the rowid, or one unique index).
  struct Conflict {
    std::string condition;  // `stored` conflicts with NEW, compared with the index's collation
    std::string moved;      // NEW differs from OLD in what the conflict compares (for an UPDATE)
  };

  // Every way a new row can conflict with a stored one. NULLs never conflict, as in SQLite. A
  // partial index's condition is left out: the candidates are a superset. An UPDATE that leaves a
  // full index's columns binary-equal cannot newly conflict on it: the row already held those values.
  std::vector<Conflict> Conflicts(const std::string& stored) const {
    std::vector<Conflict> conflicts;
    if (!table.without_rowid && !table.RowidAlias().empty()) {
      const std::string alias = table.RowidAlias();
      conflicts.push_back({stored + "." + alias + " = NEW." + alias, "NEW." + alias + " IS NOT OLD." + alias});
    }
    // SQLite (3.40 at least) rewrites `c = x COLLATE A OR c = x COLLATE B` into `c IN (x, x)` under one
    // collation, so a row equal only under the other is not found (a lost DELETE; the schema fuzzer
    // found it). A column that two single-column keys compare gets a second, redundant term in each,
    // which keeps the disjunction out of that rewrite.
    std::map<std::string, int> single_column_keys;
    for (const UniqueKey& key : table.unique_keys) {
      if (key.columns.size() == 1) ++single_column_keys[key.columns.front()];
    }
    for (const UniqueKey& key : table.unique_keys) {
      std::vector<std::string> equal;
      std::vector<std::string> moved;
      for (size_t i = 0; i < key.columns.size(); ++i) {
        const std::string column = QuoteIdentifier(key.columns[i]);
        equal.push_back(stored + "." + column + " = " + NewValue(key.columns[i]) + " COLLATE " +
                        QuoteIdentifier(key.collations[i]));
        moved.push_back("NEW." + column + " IS NOT OLD." + column + " COLLATE BINARY");
      }
      if (key.columns.size() == 1 && single_column_keys[key.columns.front()] > 1) {
        equal.push_back(NewValue(key.columns.front()) + " IS NOT NULL");
      }
      // A partial index's condition is not known here: an UPDATE of any column may bring the row
      // into the index, onto another row's values.
      conflicts.push_back({"(" + Join(equal, " AND ") + ")", key.partial ? "1" : "(" + Join(moved, " OR ") + ")"});
    }
    return conflicts;
  }

  // NEW's value of a key column as the conflict check sees it: under REPLACE, SQLite writes a NOT
  // NULL column's default in place of a NULL after the BEFORE triggers ran, and the row holding the
  // default is the one evicted. (Without REPLACE the NULL fails or is ignored, and a stashed row
  // that stays is never logged.) Defaults that are not literals are left as NEW's value.
  std::string NewValue(const std::string& name) const {
    const std::string ref = "NEW." + QuoteIdentifier(name);
    for (const Column& column : table.columns) {
      if (column.name == name && column.not_null && IsLiteralDefault(column.default_sql)) {
        return "coalesce(" + ref + ", " + column.default_sql + ")";
      }
    }
    return ref;
  }

  // `stored` is not the row an UPDATE is changing (OLD).
  std::string NotOld(const std::string& stored) const {
    if (!table.without_rowid && !table.RowidAlias().empty()) {
      return stored + "." + table.RowidAlias() + " IS NOT OLD." + table.RowidAlias();
    }
    std::vector<std::string> same;
    for (const Column& column : table.KeyColumns()) {
      const std::string name = QuoteIdentifier(column.name);
      same.push_back(stored + "." + name + " IS OLD." + name + " COLLATE BINARY");
    }
    return same.empty() ? "1" : "NOT (" + Join(same, " AND ") + ")";
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
  // The stash's columns are qualified: inside a subquery over the table, a bare `rid` or `key` would
  // name the table's own column of that name (found by the schema fuzzer).
  const std::string stashed_rid = context.Evicted() + ".rid";
  const std::string stashed_key = context.Evicted() + ".key";
  std::string evicted_rows = context.ThisTable();
  if (!table.without_rowid) {
    evicted_rows += " AND (" + stashed_rid + " = NEW." + rowid + " OR NOT EXISTS (SELECT 1 FROM " + from + " WHERE " +
                    from + "." + rowid + " = " + stashed_rid + "))";
  } else if (std::any_of(table.unique_keys.begin(), table.unique_keys.end(),
                         [](const UniqueKey& key) { return key.partial; })) {
    evicted_rows += " AND (" + stashed_key + " = " + new_key + " OR NOT EXISTS (SELECT 1 FROM " + from + " WHERE " +
                    KeyExpression(table, from) + " = " + stashed_key + "))";
  }
  const std::string log_evictions = context.LogColumns() + "SELECT " + TimestampExpression(options.subsecond) +
                                    ", tablename, 'DELETE', key, before, NULL FROM " + context.Evicted() + " WHERE " +
                                    evicted_rows + " ORDER BY n;";
  const std::string clear_evicted = "DELETE FROM " + context.Evicted() + " WHERE " + context.ThisTable() + ";";

  // The stash triggers run before a write that may evict rows: they clear what an earlier write
  // left (an INSERT OR IGNORE, an upsert, an UPDATE OR IGNORE stash rows they do not evict) and keep
  // the rows the new one conflicts with. They fire only when there is something to clear or a row
  // that conflicts, which for an UPDATE is looked for only where it moved what a conflict compares.
  const std::vector<Context::Conflict> conflicts = context.Conflicts(from);
  const std::string not_old = context.NotOld(from);
  const std::string stash_in_use = "EXISTS (SELECT 1 FROM " + context.Evicted() + " WHERE " + context.ThisTable() + ")";
  std::vector<std::string> conflict_conditions;
  std::vector<std::string> insert_conflicts{stash_in_use};
  std::vector<std::string> update_conflicts{stash_in_use};
  std::vector<std::string> moved;
  for (const Context::Conflict& conflict : conflicts) {
    conflict_conditions.push_back(conflict.condition);
    moved.push_back(conflict.moved);
    insert_conflicts.push_back("EXISTS (SELECT 1 FROM " + from + " WHERE " + conflict.condition + ")");
    update_conflicts.push_back("(" + conflict.moved + " AND EXISTS (SELECT 1 FROM " + from + " WHERE " +
                               conflict.condition + " AND " + not_old + "))");
  }
  const std::string rid = table.without_rowid ? "NULL" : from + "." + rowid;
  const std::string stash_rows = "INSERT INTO " + context.Evicted() + " (tablename, rid, key, before) SELECT " +
                                 QuoteLiteral(table.name) + ", " + rid + ", " + KeyExpression(table, from) + ", " +
                                 ImageExpression(table, from, options.blobs) + " FROM " + from + " WHERE (" +
                                 Join(conflict_conditions, " OR ") + ")";
  const std::string stash_for_insert = stash_rows + ";";
  const std::string stash_for_update = stash_rows + " AND " + not_old + ";";

  std::string update_when = same_key;
  if (!options.keep_unchanged_updates) update_when = "(" + same_key + ") AND " + context.ImageChanged();

  std::vector<TriggerSql> triggers;
  auto add = [&](TriggerEvent event, const std::string& timing, const std::string& when,
                 const std::vector<std::string>& statements) {
    triggers.push_back({TriggerName(table.name, event), context.Trigger(event, timing, when, statements),
                        timing.rfind("BEFORE", 0) == 0});
  };
  const bool evictions = !table.BeforeInsertTriggerChangesOutcomes();
  std::vector<std::string> on_insert;
  if (evictions) on_insert = {log_evictions, clear_evicted};
  on_insert.push_back(context.LogRow("INSERT", new_key, "NULL", new_image));
  // A key change that evicted the row holding its new key must log that DELETE before the INSERT of
  // the new key, or a consumer applying by key would delete the new row: so the rekey trigger logs
  // evictions itself. A same-key UPDATE evicts rows of other keys, whose order against it does not
  // matter, so a separate trigger, which costs an UPDATE nothing but its WHEN probe, logs those.
  std::vector<std::string> on_rekey;
  if (evictions) on_rekey = {log_evictions, clear_evicted};
  on_rekey.push_back(context.LogRow("DELETE", old_key, old_image, "NULL"));
  on_rekey.push_back(context.LogRow("INSERT", new_key, "NULL", new_image));
  add(TriggerEvent::kInsert, "AFTER INSERT", "", on_insert);
  add(TriggerEvent::kUpdate, "AFTER UPDATE", update_when, {context.LogRow("UPDATE", new_key, old_image, new_image)});
  // A row stashed as a candidate for eviction and then deleted with a DELETE trigger (recursive
  // triggers on, or an application trigger deleting it) has its DELETE logged here: it must not be
  // logged again as evicted.
  std::vector<std::string> on_delete;
  if (evictions) {
    on_delete.push_back("DELETE FROM " + context.Evicted() + " WHERE " + context.ThisTable() + " AND " +
                        (table.without_rowid ? stashed_key + " = " + old_key : stashed_rid + " = OLD." + rowid) + ";");
  }
  on_delete.push_back(context.LogRow("DELETE", old_key, old_image, "NULL"));
  add(TriggerEvent::kDelete, "AFTER DELETE", "", on_delete);
  add(TriggerEvent::kRekey, "AFTER UPDATE", "NOT (" + same_key + ")", on_rekey);
  if (evictions) {
    add(TriggerEvent::kEvict, "BEFORE INSERT", Join(insert_conflicts, " OR "), {clear_evicted, stash_for_insert});
    add(TriggerEvent::kStashUpdate, "BEFORE UPDATE", Join(update_conflicts, " OR "), {clear_evicted, stash_for_update});
    // An UPDATE that moved nothing a conflict compares stashed nothing, and its stash trigger
    // cleared what was there: no probe of the stash needed.
    add(TriggerEvent::kUpdateEvicted, "AFTER UPDATE", "(" + Join(moved, " OR ") + ") AND " + stash_in_use,
        {log_evictions, clear_evicted});
  }
  return triggers;
}

std::string DropTriggerSql(const std::string& trigger_name) {
  return "DROP TRIGGER IF EXISTS " + QuoteIdentifier(trigger_name);
}

}  // namespace sqlite_cdc::schema
