// libFuzzer target: random tables (identifiers of any bytes, any declared types, every key shape,
// STRICT, WITHOUT ROWID, up to a few hundred columns) through the schema-to-SQL generator. The
// triggers must install, every write that succeeds on a twin table without triggers must succeed
// on the watched one too, and every image in the log must be valid JSON.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "catalog.h"
#include "database.h"
#include "schema/identifier.h"
#include "schema/log_table_sql.h"
#include "schema/trigger_sql.h"

namespace {

using sqlite_cdc::internal::Database;
using sqlite_cdc::internal::Statement;
using sqlite_cdc::schema::QuoteIdentifier;

[[noreturn]] void Fail(const std::string& what, const std::string& sql) {
  std::fprintf(stderr, "schema_fuzzer: %s\n  SQL: %.2000s\n", what.c_str(), sql.c_str());
  std::abort();
}

// Identifiers SQLite accepts are any bytes but NUL; the interesting ones are quotes, dots,
// spaces, keywords, non-ASCII and names that differ only in case.
std::string Identifier(FuzzedDataProvider& input) {
  static const char* const kTricky[] = {"id", "ID", "rowid", "_rowid_", "oid", "key", "select", "a\"b",
                                        "a'b", "a b", "a.b", "é", "[x]", "`y`", "__cdc_log", "-"};
  if (input.ConsumeBool()) return kTricky[input.ConsumeIntegralInRange<size_t>(0, std::size(kTricky) - 1)];
  std::string name = input.ConsumeRandomLengthString(24);
  std::erase(name, '\0');
  return name.empty() ? "c" : name;
}

std::string DeclaredType(FuzzedDataProvider& input, bool strict) {
  static const char* const kStrictTypes[] = {"INT", "INTEGER", "REAL", "TEXT", "BLOB", "ANY"};
  static const char* const kTypes[] = {"", "INTEGER", "int", "REAL", "double precision", "TEXT", "varchar(10)",
                                       "BLOB", "blob", "NUMERIC", "decimal(10,2)", "BOOLEAN", "DATE", "json",
                                       "CHARINT", "FLOATING POINT"};
  if (strict) return kStrictTypes[input.ConsumeIntegralInRange<size_t>(0, std::size(kStrictTypes) - 1)];
  return kTypes[input.ConsumeIntegralInRange<size_t>(0, std::size(kTypes) - 1)];
}

// A value of any storage class, as SQL text: the awkward ones are NaN/Inf, invalid UTF-8, blobs.
std::string Value(FuzzedDataProvider& input) {
  switch (input.ConsumeIntegralInRange(0, 7)) {
    case 0: return "NULL";
    case 1: return std::to_string(input.ConsumeIntegral<int64_t>());
    case 2: return std::to_string(input.ConsumeFloatingPoint<double>());
    case 3: return input.PickValueInArray({"9e999", "-9e999", "(0.0/0.0)", "-0.0", "1e308"});
    case 4: {
      const std::string bytes = input.ConsumeRandomLengthString(16);
      std::string hex;
      for (const unsigned char c : bytes) hex += "0123456789ABCDEF"[c >> 4], hex += "0123456789ABCDEF"[c & 15];
      return input.ConsumeBool() ? "x'" + hex + "'" : "CAST(x'" + hex + "' AS TEXT)";  // the cast: invalid UTF-8
    }
    default: return sqlite_cdc::schema::QuoteLiteral(input.ConsumeRandomLengthString(32));
  }
}

struct Table {
  std::string name;
  std::vector<std::string> columns;
  std::string create_sql;  // with $ where the table's name goes
};

Table RandomTable(FuzzedDataProvider& input) {
  Table table;
  table.name = Identifier(input);
  const bool strict = input.ConsumeBool();
  const bool without_rowid = input.ConsumeIntegralInRange(0, 3) == 0;
  const size_t width = input.ConsumeBool() ? input.ConsumeIntegralInRange<size_t>(1, 8)
                                           : input.ConsumeIntegralInRange<size_t>(1, 300);
  std::set<std::string> seen;  // SQLite compares column names without ASCII case
  std::vector<std::string> types;
  for (size_t i = 0; i < width; ++i) {
    std::string name = Identifier(input);
    std::string folded = name;
    for (char& c : folded) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!seen.insert(folded).second) name += "_" + std::to_string(i), seen.insert(name);
    table.columns.push_back(name);
    types.push_back(DeclaredType(input, strict));
  }
  // Key: none, one column (INTEGER PRIMARY KEY makes a rowid alias), or several.
  std::vector<std::string> key;
  const int key_shape = without_rowid ? 1 + input.ConsumeIntegralInRange(0, 1) : input.ConsumeIntegralInRange(0, 2);
  if (key_shape == 1) key.push_back(table.columns[input.ConsumeIntegralInRange<size_t>(0, width - 1)]);
  if (key_shape == 2) {
    for (size_t i = 0; i < width && key.size() < 4; ++i) {
      if (input.ConsumeBool() || key.empty()) key.push_back(table.columns[i]);
    }
  }
  std::string sql = "CREATE TABLE $ (";
  for (size_t i = 0; i < width; ++i) {
    sql += (i ? ", " : "") + QuoteIdentifier(table.columns[i]) + (types[i].empty() ? "" : " " + types[i]);
  }
  if (!key.empty()) {
    sql += ", PRIMARY KEY (";
    for (size_t i = 0; i < key.size(); ++i) sql += (i ? ", " : "") + QuoteIdentifier(key[i]);
    sql += ")";
  }
  sql += ")";
  if (without_rowid) sql += " WITHOUT ROWID";
  if (strict) sql += without_rowid ? ", STRICT" : " STRICT";
  table.create_sql = sql;
  return table;
}

std::string Named(const std::string& create_sql, const std::string& name) {
  std::string sql = create_sql;
  sql.replace(sql.find('$'), 1, QuoteIdentifier(name));
  return sql;
}

// Runs `sql` on both tables (the plain twin first); a write that works without triggers must work
// with them, and one that fails without them must fail with them.
void WriteBoth(Database& db, const std::string& watched, const std::string& plain, const std::string& sql_template) {
  const auto run = [&db](const std::string& sql) {
    return sqlite3_exec(db.handle(), sql.c_str(), nullptr, nullptr, nullptr);
  };
  const std::string plain_sql = Named(sql_template, plain), watched_sql = Named(sql_template, watched);
  const int plain_rc = run(plain_sql);
  const int watched_rc = run(watched_sql);
  if ((plain_rc == SQLITE_OK) != (watched_rc == SQLITE_OK)) {
    Fail("the triggers changed whether a write succeeds: " + std::string(sqlite3_errmsg(db.handle())), watched_sql);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider input(data, size);
  const Table table = RandomTable(input);
  Database db = Database::OpenOrCreate(":memory:");
  const std::string plain = table.name == "plain twin" ? "plain twin 2" : "plain twin";
  if (sqlite3_exec(db.handle(), Named(table.create_sql, table.name).c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    return -1;  // not a table SQLite accepts (e.g. a reserved name): nothing of ours to test
  }
  db.Execute(Named(table.create_sql, plain));

  const auto names = sqlite_cdc::schema::LogTableNames::For("__cdc_log");
  sqlite_cdc::schema::TriggerOptions options;
  options.blobs = input.ConsumeBool();
  options.subsecond = input.ConsumeBool();
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
    for (const std::string& statement : {sqlite_cdc::schema::CreateLogTableSql(names),
                                         sqlite_cdc::schema::CreateStateTableSql(names)}) {
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

  while (input.remaining_bytes() > 0) {
    const size_t column = input.ConsumeIntegralInRange<size_t>(0, table.columns.size() - 1);
    const std::string quoted = QuoteIdentifier(table.columns[column]);
    switch (input.ConsumeIntegralInRange(0, 2)) {
      case 0: {
        std::string values;
        for (size_t i = 0; i < table.columns.size(); ++i) values += (i ? ", " : "") + Value(input);
        WriteBoth(db, table.name, plain, "INSERT INTO $ VALUES (" + values + ")");
        break;
      }
      case 1:
        WriteBoth(db, table.name, plain, "UPDATE $ SET " + quoted + " = " + Value(input));
        break;
      default:
        WriteBoth(db, table.name, plain, "DELETE FROM $ WHERE " + quoted + " IS " + Value(input));
    }
  }
  const std::string check =
      "SELECT count(*) FROM __cdc_log WHERE NOT (json_valid(key) AND json_valid(coalesce(before, '{}'))"
      " AND json_valid(coalesce(after, '{}')) AND (before IS NOT NULL OR after IS NOT NULL))";
  if (db.QueryInt(check) != 0) {
    Fail("an image in the log is not valid JSON: " + db.QueryText("SELECT quote(key) || ' ' || quote(before) || ' ' || "
                                                                   "quote(after) FROM __cdc_log WHERE NOT (json_valid(key)"
                                                                   " AND json_valid(coalesce(before, '{}')) AND "
                                                                   "json_valid(coalesce(after, '{}'))) LIMIT 1"),
         table.create_sql);
  }
  return 0;
}
