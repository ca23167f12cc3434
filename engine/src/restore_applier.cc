#include "restore_applier.h"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>
#include <vector>

#include "catalog.h"
#include "schema/identifier.h"
#include "schema/table_schema.h"

namespace sqlite_cdc::internal {

using nlohmann::json;

// One restored table: how to bind a JSON member to each of its columns.
struct RestoredTable {
  schema::TableSchema schema;
  std::map<std::string, const schema::Column*> columns;
  bool keyed_by_rowid = false;
  std::unique_ptr<Statement> whole_row;  // the upsert of every column (and the rowid), made on first use
};

namespace {

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

// JSON as the triggers wrote it, back to the SQLite value: hex back to bytes in BLOB-declared
// columns, "Infinity" back to a real in REAL columns.
void Bind(Statement& statement, int index, const json& value, const schema::Column* column) {
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

}  // namespace

RestoreApplier::RestoreApplier(Database& db, const WatchedSchema& schema, const ColumnRenames& renames) : db_(db) {
  for (const TableDefinition& definition : schema.tables) {
    if (!TableExists(db_, definition.name)) db_.Execute(definition.create_sql);
    auto table = std::make_unique<RestoredTable>();
    table->schema = ReadTable(db_, definition.name);
    for (const schema::Column& column : table->schema.columns) table->columns[column.name] = &column;
    if (const auto renamed = renames.find(definition.name); renamed != renames.end()) {
      for (const auto& [old_name, new_name] : renamed->second) {
        const auto current = table->columns.find(new_name);
        if (current != table->columns.end()) table->columns.emplace(old_name, current->second);
      }
    }
    table->keyed_by_rowid = definition.key.empty();
    tables_[definition.name] = std::move(table);
  }
}

RestoreApplier::~RestoreApplier() = default;

bool RestoreApplier::Apply(const Change& change) {
  const auto found = tables_.find(change.table);
  if (found == tables_.end()) return false;
  RestoredTable& table = *found->second;
  if (change.operation == Operation::kDelete) {
    Delete(table, json::parse(change.key));
  } else {
    // A rowid table's key (the rowid) is not in the after-image, nor a BLOB key column without
    // --blobs: both come from the key.
    Upsert(table, json::parse(change.key), json::parse(change.after.value_or("{}")));
  }
  return true;
}

Statement& RestoreApplier::Prepared(const std::string& sql) {
  auto found = statements_.find(sql);
  if (found == statements_.end()) found = statements_.emplace(sql, Statement(db_, sql)).first;
  found->second.Reset();
  return found->second;
}

bool RestoreApplier::UpsertWholeRow(RestoredTable& table, const json& key, const json& image) {
  const std::vector<schema::Column>& columns = table.schema.columns;
  if (image.size() != columns.size()) return false;
  const json* rowid = nullptr;
  if (table.keyed_by_rowid) {
    const auto found = key.find("rowid");
    if (found == key.end()) return false;
    rowid = &*found;
  }
  if (!table.whole_row) {
    std::string names = rowid ? table.schema.RowidAlias() : "", values = rowid ? "?" : "";
    for (const schema::Column& column : columns) {
      names += (names.empty() ? "" : ", ") + schema::QuoteIdentifier(column.name);
      values += values.empty() ? "?" : ", ?";
    }
    table.whole_row =
        std::make_unique<Statement>(db_, "INSERT OR REPLACE INTO " + schema::QuoteIdentifier(table.schema.name) + " (" +
                                             names + ") VALUES (" + values + ")");
  }
  Statement& statement = *table.whole_row;
  statement.Reset();
  int index = 1;
  if (rowid) Bind(statement, index++, *rowid, nullptr);
  for (const schema::Column& column : columns) {
    const auto value = image.find(column.name);
    if (value == image.end()) return false;  // an image under other names: a renamed column's old one
    Bind(statement, index++, *value, &column);
  }
  while (statement.Step()) {
  }
  return true;
}

void RestoreApplier::Upsert(RestoredTable& table, const json& key, const json& image) {
  if (UpsertWholeRow(table, key, image)) return;
  std::string names, values;
  std::vector<std::pair<const json*, const schema::Column*>> bound;
  const auto add = [&](const std::string& name, const json& value, const schema::Column* column) {
    if (!names.empty()) names += ", ", values += ", ";
    names += name;
    values += "?";
    bound.emplace_back(&value, column);
  };
  if (table.keyed_by_rowid && key.contains("rowid")) add(table.schema.RowidAlias(), key["rowid"], nullptr);
  std::vector<const schema::Column*> imaged;
  for (const auto& [name, value] : image.items()) {
    // A column the table no longer has (dropped after this change) has nowhere to go.
    if (const schema::Column* column = ColumnOf(table, name)) {
      add(schema::QuoteIdentifier(column->name), value, column);
      imaged.push_back(column);
    }
  }
  if (!table.keyed_by_rowid) {
    for (const auto& [name, value] : key.items()) {
      const schema::Column* column = ColumnOf(table, name);
      if (column && std::find(imaged.begin(), imaged.end(), column) == imaged.end()) {
        add(schema::QuoteIdentifier(column->name), value, column);
      }
    }
  }
  if (bound.empty()) return;
  Statement& statement = Prepared("INSERT OR REPLACE INTO " + schema::QuoteIdentifier(table.schema.name) + " (" +
                                  names + ") VALUES (" + values + ")");
  for (size_t i = 0; i < bound.size(); ++i) Bind(statement, static_cast<int>(i + 1), *bound[i].first, bound[i].second);
  while (statement.Step()) {
  }
}

void RestoreApplier::Delete(const RestoredTable& table, const json& key) {
  std::string condition;
  std::vector<std::pair<const json*, const schema::Column*>> bound;
  for (const auto& [name, value] : key.items()) {
    const bool rowid = table.keyed_by_rowid && name == "rowid";
    const schema::Column* column = rowid ? nullptr : ColumnOf(table, name);
    if (!rowid && !column) continue;
    if (!condition.empty()) condition += " AND ";
    condition += (rowid ? table.schema.RowidAlias() : schema::QuoteIdentifier(column->name)) + " IS ?";
    bound.emplace_back(&value, column);
  }
  if (bound.empty()) return;
  Statement& statement = Prepared("DELETE FROM " + schema::QuoteIdentifier(table.schema.name) + " WHERE " + condition);
  for (size_t i = 0; i < bound.size(); ++i) Bind(statement, static_cast<int>(i + 1), *bound[i].first, bound[i].second);
  while (statement.Step()) {
  }
}

}  // namespace sqlite_cdc::internal
