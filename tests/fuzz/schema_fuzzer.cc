// libFuzzer target: random tables (identifiers of any bytes, any declared types, every key shape,
// STRICT, WITHOUT ROWID, up to a few hundred columns, UNIQUE constraints and unique indexes: single
// and composite, collated, partial, over expressions) through the schema-to-SQL generator, then
// random writes of every conflict flavour (INSERT OR REPLACE/IGNORE, REPLACE, upserts, multi-row
// inserts, key changes, updates that change nothing, inserts that fail on a constraint).
//
// Checked on every input:
// - the triggers install;
// - a write succeeds on the watched table exactly when it succeeds on a twin table without
//   triggers;
// - every image in the log is valid JSON;
// - the log replayed strictly onto an empty map (an INSERT of a held key, or an UPDATE or DELETE
//   whose before image is not the held one, is a mismatch) equals the table as the bootstrap query
//   images it, unless the input did something the triggers do not promise to capture (see Excuse).
//
// Set SCHEMA_FUZZER_STATS=1 to get, at exit, how many inputs each excuse covered and how many of
// those broke the replay.
#include <fuzzer/FuzzedDataProvider.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "catalog.h"
#include "database.h"
#include "schema/bootstrap_sql.h"
#include "schema/identifier.h"
#include "schema/image_sql.h"
#include "schema/log_table_sql.h"
#include "schema/trigger_sql.h"

namespace {

using sqlite_cdc::internal::Database;
using sqlite_cdc::internal::Statement;
using sqlite_cdc::schema::QuoteIdentifier;

// `script` is the SQL that reproduces the failure on a table set up with our triggers.
[[noreturn]] void Fail(const std::string& what, const std::string& script) {
  std::fprintf(stderr, "schema_fuzzer: %s\n-- SQL:\n", what.c_str());
  std::fwrite(script.data(), 1, script.size(), stderr);  // text values may hold NUL bytes
  std::abort();
}

// Why the replay check is not promised for an input. The triggers see only what SQLite shows them:
// - kExpressionIndex: an INSERT OR REPLACE or UPDATE OR REPLACE (or a plain UPDATE under a
//   constraint declared ON CONFLICT REPLACE) can evict through a unique index over an expression; the
//   triggers only know unique column lists, so that eviction has no DELETE. (The other properties
//   still hold on such tables, and the replay does too when nothing was replaced.)
// - kAmbiguousKey: two rows of the table had the same key JSON at once (a rowid table's primary key
//   holding NULLs, a blob and the text of its hex, text whose invalid UTF-8 is imaged alike): a map
//   keyed by key JSON cannot hold both, so the log cannot replay strictly; that is a limit of the
//   key format, not a missed change.
// - kStrictEviction: a STRICT table gets no BEFORE trigger (it would make SQLite check types before
//   NOT NULL and conflict handling, and fail writes that succeed without it), so its REPLACE
//   evictions, by INSERT or UPDATE, have no DELETE (known gap, README).
enum Excuse { kExpressionIndex, kAmbiguousKey, kStrictEviction, kExcuseCount };
constexpr const char* kExcuseNames[] = {"expression-index-replace", "ambiguous-key", "strict-replace"};

// Per excuse: inputs it covered, and how many of those the replay would have failed.
struct Stats {
  std::array<size_t, kExcuseCount> excused{};
  std::array<size_t, kExcuseCount> broken{};
  size_t replayed = 0;
  ~Stats() {
    if (std::getenv("SCHEMA_FUZZER_STATS") == nullptr) return;
    std::fprintf(stderr, "schema_fuzzer stats: %zu inputs replayed strictly\n", replayed);
    for (int i = 0; i < kExcuseCount; ++i) {
      std::fprintf(stderr, "  %s: %zu inputs excused, %zu of them broke the replay\n", kExcuseNames[i], excused[i],
                   broken[i]);
    }
  }
};

// Identifiers SQLite accepts are any bytes but NUL; the interesting ones are quotes, dots, spaces,
// keywords, non-ASCII and names that differ only in case.
std::string Identifier(FuzzedDataProvider& input) {
  static const char* const kTricky[] = {"id",  "ID",  "rowid", "_rowid_", "oid", "key", "select",    "a\"b",
                                        "a'b", "a b", "a.b",   "é",       "[x]", "`y`", "__cdc_log", "-"};
  if (input.ConsumeBool()) return kTricky[input.ConsumeIntegralInRange<size_t>(0, std::size(kTricky) - 1)];
  std::string name = input.ConsumeRandomLengthString(24);
  std::erase(name, '\0');
  return name.empty() ? "c" : name;
}

std::string DeclaredType(FuzzedDataProvider& input, bool strict) {
  static const char* const kStrictTypes[] = {"INT", "INTEGER", "REAL", "TEXT", "BLOB", "ANY"};
  static const char* const kTypes[] = {
      "",        "INTEGER",       "int",     "REAL",          "double precision", "TEXT", "varchar(10)",
      "BLOB",    "blob",          "NUMERIC", "decimal(10,2)", "BOOLEAN",          "DATE", "json",
      "CHARINT", "FLOATING POINT"};
  if (strict) return kStrictTypes[input.ConsumeIntegralInRange<size_t>(0, std::size(kStrictTypes) - 1)];
  return kTypes[input.ConsumeIntegralInRange<size_t>(0, std::size(kTypes) - 1)];
}

std::string HexLiteral(const std::string& bytes) {
  std::string hex;
  for (const unsigned char c : bytes) hex += "0123456789ABCDEF"[c >> 4], hex += "0123456789ABCDEF"[c & 15];
  return "x'" + hex + "'";
}

// A value of any storage class, as SQL text: the awkward ones are NaN/Inf, invalid UTF-8, blobs,
// and values that collide with one another under some type, collation or image (1 and 1.0, 'a' and
// 'A ', x'61' and '61').
std::string Value(FuzzedDataProvider& input) {
  switch (input.ConsumeIntegralInRange(0, 11)) {
    case 0:
      return "NULL";
    case 1:
      return std::to_string(input.ConsumeIntegral<int64_t>());
    case 2:
      return std::to_string(input.ConsumeFloatingPoint<double>());
    case 3:
      return input.PickValueInArray({"9e999", "-9e999", "(0.0/0.0)", "-0.0", "1e308", "9223372036854775807"});
    case 4: {
      const std::string hex = HexLiteral(input.ConsumeRandomLengthString(16));
      return input.ConsumeBool() ? hex : "CAST(" + hex + " AS TEXT)";  // the cast: invalid UTF-8
    }
    case 5: {
      std::string text = input.ConsumeRandomLengthString(32);
      std::erase(text, '\0');  // a NUL would end the statement; CAST above makes text that holds them
      return sqlite_cdc::schema::QuoteLiteral(text);
    }
    default:  // half the values come from a few that collide, so that writes conflict
      return input.PickValueInArray({"0", "1", "1.0", "'1'", "'a'", "'A'", "'a '", "x'61'", "'61'", "NULL", "''"});
  }
}

// A column list that makes rows conflict: what an upsert may name as its target.
struct ConflictTarget {
  std::string terms;  // "(a COLLATE NOCASE, b)"
  std::string where;  // "" or " WHERE ..." for a partial index
};

struct Table {
  std::string name;
  std::vector<std::string> columns;
  std::vector<std::string> key;
  std::string create_sql;                 // with $ where the table's name goes
  std::vector<std::string> index_bodies;  // CREATE UNIQUE INDEX <name> ON <table><body>
  std::vector<ConflictTarget> targets;    // the key and every unique constraint or index
  bool expression_index = false;          // a unique index the triggers cannot see
  bool replace_constraint = false;        // a constraint declared ON CONFLICT REPLACE
};

std::string Collation(FuzzedDataProvider& input) {
  switch (input.ConsumeIntegralInRange(0, 7)) {
    case 0:
      return " COLLATE NOCASE";
    case 1:
      return " COLLATE BINARY";
    case 2:
      return " COLLATE RTRIM";
    default:
      return "";
  }
}

// 1 to 3 distinct columns, each possibly collated: "(a, b COLLATE NOCASE)".
std::string ColumnTerms(FuzzedDataProvider& input, const std::vector<std::string>& columns) {
  std::set<size_t> picked;
  const size_t count = input.ConsumeIntegralInRange<size_t>(1, std::min<size_t>(3, columns.size()));
  std::string terms;
  for (size_t i = 0; i < count; ++i) {
    const size_t column = input.ConsumeIntegralInRange<size_t>(0, columns.size() - 1);
    if (!picked.insert(column).second) continue;
    terms += (terms.empty() ? "" : ", ") + QuoteIdentifier(columns[column]) + Collation(input);
  }
  return "(" + terms + ")";
}

std::string ConflictClause(FuzzedDataProvider& input, Table& table) {
  if (input.ConsumeIntegralInRange(0, 9) != 0) return "";
  table.replace_constraint = true;
  return " ON CONFLICT REPLACE";
}

// A unique index created after the table: plain or collated columns, partial, or over an
// expression.
void AddUniqueIndex(FuzzedDataProvider& input, Table& table) {
  const auto column = [&] {
    return QuoteIdentifier(table.columns[input.ConsumeIntegralInRange<size_t>(0, table.columns.size() - 1)]);
  };
  std::string terms;
  if (input.ConsumeIntegralInRange(0, 3) == 0) {
    table.expression_index = true;
    switch (input.ConsumeIntegralInRange(0, 3)) {
      case 0:
        terms = "(lower(" + column() + "))";
        break;
      case 1:
        terms = "((" + column() + ") + 0)";
        break;
      case 2:
        terms = "(" + column() + ", length(" + column() + "))";
        break;
      default:
        terms = "(" + column() + " || 'x')";
        break;
    }
  } else {
    terms = ColumnTerms(input, table.columns);
  }
  std::string where;
  if (input.ConsumeBool()) {
    switch (input.ConsumeIntegralInRange(0, 2)) {
      case 0:
        where = " WHERE " + column() + " IS NOT NULL";
        break;
      case 1:
        where = " WHERE " + column() + " > 0";
        break;
      default:
        where = " WHERE typeof(" + column() + ") = 'text'";
        break;
    }
  }
  table.index_bodies.push_back(" " + terms + where);
  table.targets.push_back({terms, where});
}

Table RandomTable(FuzzedDataProvider& input) {
  Table table;
  table.name = Identifier(input);
  const bool strict = input.ConsumeBool();
  const bool without_rowid = input.ConsumeIntegralInRange(0, 3) == 0;
  // Mostly narrow, where writes collide; wide ones (chunked images) cost far more per input.
  const size_t width = input.ConsumeIntegralInRange(0, 7) != 0 ? input.ConsumeIntegralInRange<size_t>(1, 5)
                                                               : input.ConsumeIntegralInRange<size_t>(1, 300);
  std::set<std::string> seen;  // SQLite compares column names without ASCII case
  std::vector<std::string> definitions;
  for (size_t i = 0; i < width; ++i) {
    std::string name = Identifier(input);
    std::string folded = name;
    for (char& c : folded) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!seen.insert(folded).second) name += "_" + std::to_string(i), seen.insert(name);
    table.columns.push_back(name);
    const std::string type = DeclaredType(input, strict);
    std::string definition = QuoteIdentifier(name) + (type.empty() ? "" : " " + type);
    if (input.ConsumeIntegralInRange(0, 5) == 0) definition += " COLLATE NOCASE";
    // Under REPLACE a NULL written to it becomes the default, after the BEFORE triggers ran.
    if (input.ConsumeIntegralInRange(0, 11) == 0) {
      static const char* const kDefaults[] = {"'x'", "0", "1.5", "x'00'"};
      definition += std::string(" NOT NULL DEFAULT ") + kDefaults[input.ConsumeIntegralInRange(0, 3)];
    }
    if (input.ConsumeIntegralInRange(0, 7) == 0) {
      definition += " UNIQUE" + ConflictClause(input, table);
      table.targets.push_back({"(" + QuoteIdentifier(name) + ")", ""});
    }
    definitions.push_back(definition);
  }
  // Key: none, one column (INTEGER PRIMARY KEY makes a rowid alias), or several; each possibly
  // collated in the key only.
  const int key_shape = without_rowid ? 1 + input.ConsumeIntegralInRange(0, 1) : input.ConsumeIntegralInRange(0, 2);
  if (key_shape == 1) table.key.push_back(table.columns[input.ConsumeIntegralInRange<size_t>(0, width - 1)]);
  if (key_shape == 2) {
    for (size_t i = 0; i < width && table.key.size() < 4; ++i) {
      if (input.ConsumeBool() || table.key.empty()) table.key.push_back(table.columns[i]);
    }
  }
  std::string sql = "CREATE TABLE $ (";
  for (size_t i = 0; i < width; ++i) sql += (i ? ", " : "") + definitions[i];
  if (!table.key.empty()) {
    std::string terms;
    for (const std::string& column : table.key) {
      terms += (terms.empty() ? "" : ", ") + QuoteIdentifier(column) +
               (input.ConsumeIntegralInRange(0, 5) == 0 ? Collation(input) : "");
    }
    sql += ", PRIMARY KEY (" + terms + ")" + ConflictClause(input, table);
    table.targets.push_back({"(" + terms + ")", ""});
  }
  for (int n = input.ConsumeIntegralInRange(0, 3) - 1; n > 0; --n) {
    const std::string terms = ColumnTerms(input, table.columns);
    sql += ", UNIQUE " + terms + ConflictClause(input, table);
    table.targets.push_back({terms, ""});
  }
  sql += ")";
  if (without_rowid) sql += " WITHOUT ROWID";
  if (strict) sql += without_rowid ? ", STRICT" : " STRICT";
  table.create_sql = sql;
  for (int n = input.ConsumeIntegralInRange(0, 4) - 2; n > 0; --n) AddUniqueIndex(input, table);
  return table;
}

std::string Named(const std::string& sql_template, const std::string& name) {
  std::string sql = sql_template;
  sql.replace(sql.find('$'), 1, QuoteIdentifier(name));
  return sql;
}

int Run(Database& db, const std::string& sql) {
  return sqlite3_exec(db.handle(), sql.c_str(), nullptr, nullptr, nullptr);
}

// Runs `sql` on both tables (the plain twin first); a write that works without triggers must work
// with them, and one that fails without them must fail with them. Returns whether it worked, and
// adds the write to `script`.
bool WriteBoth(Database& db, const std::string& watched, const std::string& plain, const std::string& sql_template,
               std::string& script) {
  const std::string plain_sql = Named(sql_template, plain), watched_sql = Named(sql_template, watched);
  const int plain_rc = Run(db, plain_sql);
  const std::string plain_error = sqlite3_errmsg(db.handle());
  const int watched_rc = Run(db, watched_sql);
  // A failed INSERT OR FAIL keeps the rows it inserted before the failure: the script keeps it.
  script += watched_sql + (watched_rc == SQLITE_OK ? ";\n" : ";  -- fails\n");
  if ((plain_rc == SQLITE_OK) != (watched_rc == SQLITE_OK)) {
    Fail("the triggers changed whether a write succeeds: without them \"" + plain_error + "\", with them \"" +
             sqlite3_errmsg(db.handle()) + "\"",
         script);
  }
  return watched_rc == SQLITE_OK;
}

std::string Rows(FuzzedDataProvider& input, size_t width) {
  std::string rows;
  for (int n = input.ConsumeIntegralInRange(1, 3); n > 0; --n) {
    std::string values;
    for (size_t i = 0; i < width; ++i) values += (i ? ", " : "") + Value(input);
    rows += (rows.empty() ? "(" : ", (") + values + ")";
  }
  return rows;
}

// One random write, as a template with $ for the table. Sets the excuses it earns if it succeeds.
struct Write {
  std::string sql;
  bool update_eviction = false;  // may evict rows through an UPDATE
  bool insert_eviction = false;  // may evict rows through an INSERT
};

Write RandomWrite(FuzzedDataProvider& input, const Table& table, const std::string& rowid_alias) {
  const auto pick_column = [&] {
    return QuoteIdentifier(table.columns[input.ConsumeIntegralInRange<size_t>(0, table.columns.size() - 1)]);
  };
  Write write;
  switch (input.ConsumeIntegralInRange(0, 7)) {
    case 0:
    case 1: {
      const std::string verb = input.PickValueInArray({"INSERT", "INSERT", "INSERT OR REPLACE", "REPLACE",
                                                       "INSERT OR IGNORE", "INSERT OR ABORT", "INSERT OR FAIL"});
      write.sql = verb + " INTO $ VALUES " + Rows(input, table.columns.size());
      write.insert_eviction = verb.find("REPLACE") != std::string::npos;
      break;
    }
    case 2: {  // an upsert, possibly naming which conflict it handles
      const std::string verb = input.ConsumeIntegralInRange(0, 5) == 0 ? "INSERT OR REPLACE" : "INSERT";
      write.sql = verb + " INTO $ VALUES " + Rows(input, table.columns.size()) + " ON CONFLICT";
      write.insert_eviction = verb != "INSERT";
      const bool targeted = !table.targets.empty() && input.ConsumeIntegralInRange(0, 3) != 0;
      if (targeted) {
        const ConflictTarget& target = table.targets[input.ConsumeIntegralInRange<size_t>(0, table.targets.size() - 1)];
        write.sql += " " + target.terms + target.where;
      }
      if (!targeted || input.ConsumeIntegralInRange(0, 2) == 0) {
        write.sql += " DO NOTHING";
      } else {
        const std::string column = pick_column();
        switch (input.ConsumeIntegralInRange(0, 2)) {
          case 0:
            write.sql += " DO UPDATE SET " + column + " = excluded." + column;
            break;
          case 1:
            write.sql += " DO UPDATE SET " + column + " = " + Value(input);
            break;
          default:
            write.sql += " DO UPDATE SET " + column + " = " + column;
            break;  // changes nothing
        }
        if (input.ConsumeBool()) write.sql += " WHERE " + pick_column() + " IS NOT " + Value(input);
      }
      break;
    }
    case 3:
    case 4:
    case 5: {
      const std::string verb =
          input.PickValueInArray({"UPDATE", "UPDATE", "UPDATE", "UPDATE OR IGNORE", "UPDATE OR REPLACE"});
      write.update_eviction = verb == "UPDATE OR REPLACE" || (verb == "UPDATE" && table.replace_constraint);
      std::string assignment;
      const std::string column = pick_column();
      switch (input.ConsumeIntegralInRange(0, 4)) {
        case 0:  // changes nothing
          assignment = column + " = " + column;
          break;
        case 1: {  // changes the key: a key column, or the rowid of a table without one
          std::string key = table.key.empty() ? rowid_alias : QuoteIdentifier(table.key[0]);
          if (!table.key.empty()) {
            key = QuoteIdentifier(table.key[input.ConsumeIntegralInRange<size_t>(0, table.key.size() - 1)]);
          }
          if (key.empty()) key = column;
          assignment = key + " = " + (input.ConsumeBool() ? key + " + 1" : Value(input));
          break;
        }
        default:
          assignment = column + " = " + Value(input);
      }
      write.sql = verb + " $ SET " + assignment;
      if (input.ConsumeBool()) write.sql += " WHERE " + pick_column() + " IS " + Value(input);
      break;
    }
    default:
      write.sql = "DELETE FROM $ WHERE " + pick_column() + " IS " + Value(input);
  }
  return write;
}

// The log replayed strictly onto an empty map, compared with the table's images; "" when equal.
std::string ReplayMismatch(Database& db, const sqlite_cdc::schema::TableSchema& schema, bool blobs) {
  std::map<std::string, std::string> held;
  Statement log(db, "SELECT id, operation, key, before, after FROM __cdc_log WHERE tablename = ?1 ORDER BY id");
  log.Bind(1, schema.name);
  while (log.Step()) {
    const std::string operation(log.Text(1)), key(log.Text(2)), before(log.Text(3)), after(log.Text(4));
    const std::string where = " at log id " + std::to_string(log.Int(0)) + " key " + key;
    const auto found = held.find(key);
    if (operation == "INSERT") {
      if (found != held.end()) return "INSERT of a key already held" + where;
      held[key] = after;
      continue;
    }
    if (found == held.end()) return operation + " of a key not held" + where;
    if (found->second != before)
      return operation + " whose before " + before + " is not the held " + found->second + where;
    if (operation == "UPDATE") {
      found->second = after;
    } else {
      held.erase(found);
    }
  }
  std::map<std::string, std::string> table;
  Statement snapshot(db, sqlite_cdc::schema::SnapshotSelectSql(schema, blobs));
  while (snapshot.Step()) table[std::string(snapshot.Text(0))] = std::string(snapshot.Text(1));
  for (const auto& [key, image] : table) {
    const auto found = held.find(key);
    if (found == held.end()) return "the table holds a row the log does not: " + key + " " + image;
    if (found->second != image) return "the log's image of " + key + " is " + found->second + ", the table's " + image;
  }
  for (const auto& [key, image] : held) {
    if (!table.contains(key)) return "the log holds a row the table does not: " + key + " " + image;
  }
  return "";
}

}  // namespace

// glibc's allocator, under AddressSanitizer's interceptors.
extern "C" void* __libc_malloc(size_t);
extern "C" void* __libc_realloc(void*, size_t);
extern "C" void __libc_free(void*);

namespace {

// SQLite allocates and frees thousands of blocks to parse the triggers of a wide table; through
// AddressSanitizer's allocator (fill, quarantine, stack capture) that was most of an input's time.
// SQLite is not instrumented anyway, so its own memory goes to glibc directly, with the size kept
// in front of each block as SQLite's xSize needs.
void* SqliteMalloc(int size) {
  auto* block = static_cast<int64_t*>(__libc_malloc(static_cast<size_t>(size) + 8));
  if (block == nullptr) return nullptr;
  block[0] = size;
  return block + 1;
}
void SqliteFree(void* p) {
  if (p != nullptr) __libc_free(static_cast<int64_t*>(p) - 1);
}
void* SqliteRealloc(void* p, int size) {
  auto* block = static_cast<int64_t*>(__libc_realloc(static_cast<int64_t*>(p) - 1, static_cast<size_t>(size) + 8));
  if (block == nullptr) return nullptr;
  block[0] = size;
  return block + 1;
}
int SqliteSize(void* p) { return p == nullptr ? 0 : static_cast<int>(static_cast<int64_t*>(p)[-1]); }
int SqliteRoundup(int size) { return (size + 7) & ~7; }
int SqliteInit(void*) { return SQLITE_OK; }
void SqliteShutdown(void*) {}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  static const sqlite3_mem_methods kMethods = {SqliteMalloc,  SqliteFree, SqliteRealloc,  SqliteSize,
                                               SqliteRoundup, SqliteInit, SqliteShutdown, nullptr};
  if (sqlite3_config(SQLITE_CONFIG_MALLOC, &kMethods) != SQLITE_OK) std::abort();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Stats stats;
  FuzzedDataProvider input(data, size);
  const Table table = RandomTable(input);
  Database db = Database::OpenOrCreate(":memory:");
  const std::string plain = table.name == "plain twin" ? "plain twin 2" : "plain twin";
  for (const std::string& name : {table.name, plain}) {
    // Not a table SQLite accepts (a reserved name, an index name taken, a collation on a WITHOUT
    // ROWID key it refuses): nothing of ours to test.
    if (Run(db, Named(table.create_sql, name)) != SQLITE_OK) return -1;
    for (size_t i = 0; i < table.index_bodies.size(); ++i) {
      const std::string index = QuoteIdentifier(name + " unique " + std::to_string(i));
      if (Run(db, "CREATE UNIQUE INDEX " + index + " ON " + QuoteIdentifier(name) + table.index_bodies[i]) !=
          SQLITE_OK) {
        return -1;
      }
    }
  }

  const auto names = sqlite_cdc::schema::LogTableNames::For("__cdc_log");
  sqlite_cdc::schema::TriggerOptions options;
  options.blobs = input.ConsumeBool();
  options.subsecond = input.ConsumeBool();
  options.keep_unchanged_updates = input.ConsumeIntegralInRange(0, 3) == 0;
  sqlite_cdc::schema::TableSchema schema;
  try {
    // As setup does: refused with a clear message (the log's name taken, or rowid, _rowid_ and oid
    // all taken): by design, not a failure.
    sqlite_cdc::internal::CheckLogTablesAreOurs(db, names);
    schema = sqlite_cdc::internal::ReadTable(db, table.name);
  } catch (const sqlite_cdc::internal::InvalidInput&) {
    return -1;
  }
  std::string sql;
  try {
    for (const std::string& statement :
         {sqlite_cdc::schema::CreateLogTableSql(names), sqlite_cdc::schema::CreateStateTableSql(names),
          sqlite_cdc::schema::CreateEvictedTableSql(names)}) {
      sql = statement;
      db.Execute(sql);
    }
    for (const auto& trigger : sqlite_cdc::schema::GenerateTriggers(schema, options)) {
      sql = trigger.create_sql;
      db.Execute(sql);
    }
  } catch (const std::exception& error) {
    Fail(std::string("setup SQL failed: ") + error.what(), sql);
  }
  const std::string from = QuoteIdentifier(table.name);
  std::string script = "-- set up with blobs=" + std::to_string(options.blobs) +
                       " keep_unchanged_updates=" + std::to_string(options.keep_unchanged_updates) + "\n" +
                       Named(table.create_sql, table.name) + ";\n";
  for (size_t i = 0; i < table.index_bodies.size(); ++i) {
    script += "CREATE UNIQUE INDEX " + QuoteIdentifier(table.name + " unique " + std::to_string(i)) + " ON " + from +
              table.index_bodies[i] + ";\n";
  }

  // Whether two rows held the same key JSON at once: checked after every row a write inserts or
  // updates (temporary triggers, not part of the script), since inside one statement a collision can
  // come and go (an UPDATE OR REPLACE moving a text key onto a blob key's JSON, then evicting it).
  const std::string collision = "(SELECT count(*) > count(DISTINCT k) FROM (SELECT " +
                                sqlite_cdc::schema::KeyExpression(schema, from) + " AS k FROM " + from + "))";
  db.Execute("CREATE TEMP TABLE fuzz_ambiguous_keys (seen INTEGER)");
  for (const char* event : {"INSERT", "UPDATE"}) {
    db.Execute(std::string("CREATE TEMP TRIGGER fuzz_ambiguous_on_") + event + " AFTER " + event + " ON " + from +
               " WHEN " + collision + " BEGIN INSERT INTO fuzz_ambiguous_keys VALUES (1); END");
  }
  std::array<bool, kExcuseCount> excused{};
  while (input.remaining_bytes() > 0) {
    const Write write = RandomWrite(input, table, schema.RowidAlias());
    const bool worked = WriteBoth(db, table.name, plain, write.sql, script);
    const bool replaced = write.insert_eviction || write.update_eviction;
    excused[kExpressionIndex] |= worked && replaced && table.expression_index;
    excused[kStrictEviction] |=
        worked && (replaced || table.replace_constraint) && schema.BeforeInsertTriggerChangesOutcomes();
  }
  excused[kAmbiguousKey] = db.QueryInt("SELECT EXISTS (SELECT 1 FROM fuzz_ambiguous_keys)") != 0;
  // NULLs in a rowid table's primary key are distinct to SQLite and alike in key JSON; a key JSON
  // holding null is taken as a sign that two such rows may have met.
  if (!excused[kAmbiguousKey]) {
    excused[kAmbiguousKey] =
        db.QueryInt(
            "SELECT EXISTS (SELECT 1 FROM __cdc_log, json_each(__cdc_log.key) WHERE json_each.type = 'null')") != 0;
  }
  const std::string check =
      "SELECT count(*) FROM __cdc_log WHERE NOT (json_valid(key) AND json_valid(coalesce(before, '{}'))"
      " AND json_valid(coalesce(after, '{}')) AND (before IS NOT NULL OR after IS NOT NULL))";
  if (db.QueryInt(check) != 0) {
    Fail("an image in the log is not valid JSON: " +
             db.QueryText("SELECT quote(key) || ' ' || quote(before) || ' ' || "
                          "quote(after) FROM __cdc_log WHERE NOT (json_valid(key)"
                          " AND json_valid(coalesce(before, '{}')) AND "
                          "json_valid(coalesce(after, '{}'))) LIMIT 1"),
         script);
  }

  std::string mismatch;
  try {
    mismatch = ReplayMismatch(db, schema, options.blobs);
  } catch (const std::exception& error) {
    Fail(std::string("reading the log or the table back failed: ") + error.what(), script);
  }
  bool is_excused = false;
  for (int i = 0; i < kExcuseCount; ++i) {
    if (!excused[i]) continue;
    is_excused = true;
    ++stats.excused[i];
    if (!mismatch.empty()) ++stats.broken[i];
  }
  if (is_excused) return 0;
  ++stats.replayed;
  if (!mismatch.empty()) {
    Fail("the log does not replay to the table: " + mismatch, script);
  }
  return 0;
}
