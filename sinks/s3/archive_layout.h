#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "sqlite_cdc/change.h"
#include "sqlite_cdc/watched_schema.h"

// The S3 archive's object names and formats, relative to the archive's prefix. This is a
// persistent format that other tools read: change it only compatibly (see the README).
//
//   changes/<first id>-<last id>.ndjson.gz      one batch of change events, ids zero-padded to 20
//   schema/<log position>.json                  the watched tables' definitions from that log id on
//   snapshots/<run>/part-<n>.ndjson.gz          bootstrap events of one snapshot, n from 000001
//   snapshots/<run>/complete.json               written last: the snapshot is whole
namespace sqlite_cdc::sinks {

std::string ChangesObjectName(int64_t first_id, int64_t last_id);
// The id range of a changes object's name; nullopt for any other name.
std::optional<std::pair<int64_t, int64_t>> ParseChangesObjectName(const std::string& name);

std::string SchemaObjectName(int64_t log_position);
std::optional<int64_t> ParseSchemaObjectName(const std::string& name);

// A new snapshot's folder: sortable by when it was taken, unique even for two in one second.
std::string SnapshotRunName(std::chrono::system_clock::time_point now);
std::string SnapshotPartName(const std::string& run, int part);
std::string SnapshotManifestName(const std::string& run);
// The run of a snapshot manifest's name; nullopt for any other name.
std::optional<std::string> ParseSnapshotManifestName(const std::string& name);

struct SnapshotManifest {
  int64_t log_position = 0;  // the snapshot holds every change up to this log id
  int parts = 0;
  int64_t rows = 0;
  std::string taken_at;  // RFC 3339, when the snapshot's read transaction ran
};

std::string SchemaJson(const WatchedSchema& schema, const std::string& stored_at);
bool ParseSchemaJson(const std::string& text, WatchedSchema* schema, std::string* stored_at);
std::string ManifestJson(const SnapshotManifest& manifest);
bool ParseManifestJson(const std::string& text, SnapshotManifest* manifest);

// Change events, one JSON object per line, exactly as `--output json` prints them.
std::string EventLines(const Changes& batch);
// Back from event lines; false on anything malformed.
bool ParseEventLines(const std::string& text, Changes* batch);

}  // namespace sqlite_cdc::sinks
