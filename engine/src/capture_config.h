#pragma once

#include <optional>
#include <string>
#include <vector>

#include "database.h"
#include "schema/log_table_sql.h"
#include "sqlite_cdc/options.h"

namespace sqlite_cdc::internal {

// What setup was asked for, as it keeps it in the log's config table.
struct StoredConfig {
  bool blobs = false;
  bool subsecond = true;
  bool keep_unchanged_updates = false;
  std::vector<std::string> tables;  // the watched tables, in name order
  // The log's identity: random, made by the first setup (or the first engine on a database set up
  // before it existed), kept while the log exists, new after a teardown of every table and a setup.
  // Empty only in a config read before it was made.
  std::string log_epoch;
};

// The stored config; nullopt when the database has no config table (set up by an earlier version,
// which stored nothing: its watched set is then the tables that carry this log's triggers).
std::optional<StoredConfig> ReadStoredConfig(Database& db, const schema::LogTableNames& names);

// Gives the log its identity (StoredConfig::log_epoch) if the config table has none yet; a read
// when it has one. No-op without a config table.
void EnsureLogEpoch(Database& db, const schema::LogTableNames& names);

// Makes the config table hold exactly `config`, creating it if missing. Writes only rows that
// differ, so storing what is already stored leaves the file untouched. REQUIRES: a write transaction.
void WriteStoredConfig(Database& db, const schema::LogTableNames& names, const StoredConfig& config);

// The capture settings of `given`, or of `stored` where it exists: a setting left at its default
// takes the stored value; one that contradicts it throws InvalidInput naming the flag and the
// stored value. Not for setup, whose settings replace the stored ones.
CaptureOptions ResolveCaptureOptions(const CaptureOptions& given, const std::optional<StoredConfig>& stored);

// `options` with the stored capture settings in place of its own.
CaptureOptions WithStoredOptions(CaptureOptions options, const StoredConfig& stored);

// What setup stores for `options` and `tables` (sorted, without duplicates).
StoredConfig ConfigOf(const CaptureOptions& options, std::vector<std::string> tables);

// "blobs off, millisecond timestamps, unchanged updates skipped": for messages.
std::string DescribeCaptureOptions(const CaptureOptions& options);

}  // namespace sqlite_cdc::internal
