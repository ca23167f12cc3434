#pragma once

#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "database.h"
#include "sqlite_cdc/change.h"
#include "sqlite_cdc/watched_schema.h"

namespace sqlite_cdc::internal {

struct RestoredTable;

// Per table, columns renamed since some changes were logged: old name to the current one. Images
// logged before the triggers followed a RENAME COLUMN still use the old name.
using ColumnRenames = std::map<std::string, std::map<std::string, std::string>>;

// Applies changes to a new database's tables, one statement per change, statements cached: an
// insert or update becomes INSERT OR REPLACE of its after-image, a delete deletes by key. Values go
// back to what the triggers read (hex to bytes in BLOB-declared columns, "Infinity" to a real in
// REAL columns); columns the table no longer has are left out.
class RestoreApplier {
 public:
  // Creates every table of `schema` that `db` does not have yet (a table it has is taken as it is);
  // `db` must outlive the applier. An image member named as in `renames` goes to the column's
  // current name.
  RestoreApplier(Database& db, const WatchedSchema& schema, const ColumnRenames& renames = {});
  ~RestoreApplier();
  RestoreApplier(const RestoreApplier&) = delete;
  RestoreApplier& operator=(const RestoreApplier&) = delete;

  // False when the change's table is not in the schema.
  bool Apply(const Change& change);

 private:
  Statement& Prepared(const std::string& sql);
  // An image of every column under its current name (what the triggers write) takes one prepared
  // statement per table; false, with nothing written, for any other image.
  bool UpsertWholeRow(RestoredTable& table, const nlohmann::json& key, const nlohmann::json& image);
  void Upsert(RestoredTable& table, const nlohmann::json& key, const nlohmann::json& image);
  void Delete(const RestoredTable& table, const nlohmann::json& key);

  Database& db_;
  std::map<std::string, std::unique_ptr<RestoredTable>> tables_;
  std::map<std::string, Statement> statements_;
};

}  // namespace sqlite_cdc::internal
