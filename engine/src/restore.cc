#include "sqlite_cdc/restore.h"

#include <spdlog/spdlog.h>

#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>

#include "catalog.h"
#include "database.h"
#include "guarded.h"
#include "schema/identifier.h"
#include "schema/table_schema.h"

namespace sqlite_cdc {

std::optional<int64_t> ParseRfc3339Millis(const std::string& text) {
  int year, month, day, hour, minute, second, consumed = 0;
  char t;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d%n", &year, &month, &day, &t, &hour, &minute, &second,
                  &consumed) != 7 ||
      (t != 'T' && t != 't' && t != ' ') || consumed != 19) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  size_t at = 19;
  int64_t millis = 0;
  if (at < text.size() && text[at] == '.') {
    int digits = 0;
    for (++at; at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])); ++at, ++digits) {
      if (digits < 3) millis = millis * 10 + (text[at] - '0');
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 3; ++digits) millis *= 10;
  }
  int64_t offset_minutes = 0;
  if (at < text.size() && (text[at] == 'Z' || text[at] == 'z')) {
    ++at;
  } else if (at + 6 == text.size() && (text[at] == '+' || text[at] == '-') && text[at + 3] == ':') {
    int oh = 0, om = 0;
    if (std::sscanf(text.c_str() + at + 1, "%2d:%2d", &oh, &om) != 2) return std::nullopt;
    offset_minutes = (text[at] == '-' ? -1 : 1) * (oh * 60 + om);
    at += 6;
  } else {
    return std::nullopt;
  }
  if (at != text.size()) return std::nullopt;
  std::tm parts{};
  parts.tm_year = year - 1900;
  parts.tm_mon = month - 1;
  parts.tm_mday = day;
  parts.tm_hour = hour;
  parts.tm_min = minute;
  parts.tm_sec = second;
  return (static_cast<int64_t>(timegm(&parts)) - offset_minutes * 60) * 1000 + millis;
}

bool RestorePoint::Includes(const Change& change) const {
  if (change.bootstrap) return true;
  if (id && change.id > *id) return false;
  if (timestamp_ms) {
    const auto at = ParseRfc3339Millis(change.timestamp);
    if (at && *at > *timestamp_ms) return false;
  }
  return true;
}

namespace {

using internal::Database;
using internal::Statement;
using nlohmann::json;

std::optional<std::string> FromHex(const std::string& hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string bytes;
  bytes.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const auto digit = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    const int high = digit(hex[i]), low = digit(hex[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    bytes += static_cast<char>(high * 16 + low);
  }
  return bytes;
}

// One restored table: how to bind a JSON member to each of its columns.
struct RestoredTable {
  schema::TableSchema schema;
  std::map<std::string, const schema::Column*> columns;
  bool keyed_by_rowid = false;
};

// Applies changes to the new database's tables, one statement per change, statements cached.
class Applier {
 public:
  Applier(Database& db, const WatchedSchema& schema) : db_(db) {
    for (const TableDefinition& definition : schema.tables) {
      db_.Execute(definition.create_sql);
      auto table = std::make_unique<RestoredTable>();
      table->schema = internal::ReadTable(db_, definition.name);
      for (const schema::Column& column : table->schema.columns) table->columns[column.name] = &column;
      table->keyed_by_rowid = definition.key.empty();
      tables_[definition.name] = std::move(table);
    }
  }

  // False when the change's table is not in the schema.
  bool Apply(const Change& change) {
    const auto found = tables_.find(change.table);
    if (found == tables_.end()) return false;
    const RestoredTable& table = *found->second;
    const json key = json::parse(change.key);
    if (change.operation == Operation::kDelete) {
      Delete(table, key);
    } else {
      Upsert(table, key, json::parse(change.after.value_or("{}")));
    }
    return true;
  }

 private:
  Statement& Prepared(const std::string& sql) {
    auto found = statements_.find(sql);
    if (found == statements_.end()) found = statements_.emplace(sql, Statement(db_, sql)).first;
    found->second.Reset();
    return found->second;
  }

  // JSON as the triggers wrote it, back to the SQLite value: hex back to bytes in BLOB-declared
  // columns, "Infinity" back to a real in REAL columns.
  static void Bind(Statement& statement, int index, const json& value, const schema::Column* column) {
    sqlite3_stmt* handle = statement.handle();
    if (value.is_null()) {
      sqlite3_bind_null(handle, index);
    } else if (value.is_boolean()) {
      sqlite3_bind_int64(handle, index, value.get<bool>() ? 1 : 0);
    } else if (value.is_number_integer()) {
      sqlite3_bind_int64(handle, index, value.get<int64_t>());
    } else if (value.is_number()) {
      sqlite3_bind_double(handle, index, value.get<double>());
    } else if (value.is_string()) {
      const std::string& text = value.get_ref<const std::string&>();
      if (column && schema::IsBlobDeclared(*column)) {
        if (auto bytes = FromHex(text)) {
          sqlite3_bind_blob64(handle, index, bytes->data(), bytes->size(), SQLITE_TRANSIENT);
          return;
        }
      }
      if (column && schema::AffinityOf(column->declared_type) == schema::Affinity::kReal &&
          (text == "Infinity" || text == "-Infinity")) {
        sqlite3_bind_double(handle, index, (text[0] == '-' ? -1 : 1) * std::numeric_limits<double>::infinity());
        return;
      }
      sqlite3_bind_text64(handle, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    } else {
      const std::string text = value.dump();
      sqlite3_bind_text64(handle, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    }
  }

  const schema::Column* ColumnOf(const RestoredTable& table, const std::string& name) {
    const auto found = table.columns.find(name);
    return found == table.columns.end() ? nullptr : found->second;
  }

  void Upsert(const RestoredTable& table, const json& key, const json& image) {
    std::string names, values;
    std::vector<std::pair<const json*, const schema::Column*>> bound;
    const auto add = [&](const std::string& name, const json& value, const schema::Column* column) {
      if (!names.empty()) names += ", ", values += ", ";
      names += schema::QuoteIdentifier(name);
      values += "?";
      bound.emplace_back(&value, column);
    };
    if (table.keyed_by_rowid && key.contains("rowid")) add(table.schema.RowidAlias(), key["rowid"], nullptr);
    for (const auto& [name, value] : image.items()) {
      // A column the table no longer has (dropped after this change) has nowhere to go.
      if (const schema::Column* column = ColumnOf(table, name)) add(name, value, column);
    }
    if (bound.empty()) return;
    Statement& statement = Prepared("INSERT OR REPLACE INTO " + schema::QuoteIdentifier(table.schema.name) + " (" +
                                    names + ") VALUES (" + values + ")");
    for (size_t i = 0; i < bound.size(); ++i)
      Bind(statement, static_cast<int>(i + 1), *bound[i].first, bound[i].second);
    while (statement.Step()) {
    }
  }

  void Delete(const RestoredTable& table, const json& key) {
    std::string condition;
    std::vector<std::pair<const json*, const schema::Column*>> bound;
    for (const auto& [name, value] : key.items()) {
      const bool rowid = table.keyed_by_rowid && name == "rowid";
      const schema::Column* column = rowid ? nullptr : ColumnOf(table, name);
      if (!rowid && !column) continue;
      if (!condition.empty()) condition += " AND ";
      condition += (rowid ? table.schema.RowidAlias() : schema::QuoteIdentifier(name)) + " IS ?";
      bound.emplace_back(&value, column);
    }
    if (bound.empty()) return;
    Statement& statement =
        Prepared("DELETE FROM " + schema::QuoteIdentifier(table.schema.name) + " WHERE " + condition);
    for (size_t i = 0; i < bound.size(); ++i)
      Bind(statement, static_cast<int>(i + 1), *bound[i].first, bound[i].second);
    while (statement.Step()) {
    }
  }

  Database& db_;
  std::map<std::string, std::unique_ptr<RestoredTable>> tables_;
  std::map<std::string, Statement> statements_;
};

constexpr int64_t kChangesPerTransaction = 100'000;

// Applier::Apply, naming the change when the database refuses it.
bool ApplyOne(Applier& applier, const Change& change) {
  try {
    return applier.Apply(change);
  } catch (internal::Error& error) {
    error.AddContext(change.bootstrap ? "apply a snapshot row of table " + change.table
                                      : "apply log id " + std::to_string(change.id) + " to table " + change.table);
    throw;
  }
}

Status RestoreInto(const std::string& db_path, RestoreSource& source, const RestorePoint& point,
                   RestoreReport* report) {
  WatchedSchema schema;
  if (Status status = source.Schema(&schema); !status.ok()) return status;
  Database db = Database::OpenOrCreate(db_path);
  // A file nobody else has yet, deleted if anything fails: no journal needed until it is done.
  db.Execute("PRAGMA journal_mode = OFF");
  db.Execute("PRAGMA synchronous = OFF");
  db.Execute("BEGIN");
  Applier applier(db, schema);
  int64_t in_transaction = 0;
  Changes batch;
  for (;;) {
    if (Status status = source.Next(&batch); !status.ok()) {
      return status.WithContext(report->last_id > 0 ? "read the archive after log id " + std::to_string(report->last_id)
                                                    : std::string("read the archive"));
    }
    if (batch.empty()) break;
    for (const Change& change : batch) {
      if (!point.Includes(change)) {
        db.Execute("COMMIT");
        return Status::Ok();
      }
      if (!ApplyOne(applier, change)) {
        ++report->skipped_unknown_tables;
        continue;
      }
      if (change.bootstrap) {
        ++report->snapshot_rows;
      } else {
        ++report->changes_applied;
        report->last_id = change.id;
        report->last_timestamp = change.timestamp;
      }
      if (++in_transaction == kChangesPerTransaction) {
        db.Execute("COMMIT");
        db.Execute("BEGIN");
        in_transaction = 0;
      }
    }
  }
  db.Execute("COMMIT");
  return Status::Ok();
}

}  // namespace

Status Restore(const std::string& db_path, RestoreSource& source, const RestorePoint& point, RestoreReport* report) {
  std::error_code ignored;
  if (std::filesystem::exists(db_path, ignored)) {
    return Status::InvalidArgument("refusing to overwrite " + db_path + ": restore builds a new database file");
  }
  *report = RestoreReport{};
  Status status =
      internal::GuardedDoing("restore into " + db_path, [&] { return RestoreInto(db_path, source, point, report); });
  if (!status.ok()) {
    for (const char* suffix : {"", "-journal", "-wal", "-shm"}) std::filesystem::remove(db_path + suffix, ignored);
  }
  return status;
}

}  // namespace sqlite_cdc
