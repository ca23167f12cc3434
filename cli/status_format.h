#pragma once

#include <string>

#include "sqlite_cdc/status_report.h"

namespace sqlite_cdc::cli {

// For people: aligned lines, sizes and ages in readable units, ending with a newline.
std::string FormatStatusText(const std::string& db_path, const CaptureStatus& status);

// For machines: one JSON object and a newline. Fields: database, log_table, backlog, oldest_id,
// oldest_timestamp, oldest_age_seconds (null when the log is empty), last_delivered_id, log_bytes,
// log_bytes_source ("dbstat" or "estimate"), capture_options {blobs, subsecond, keep_unchanged_updates,
// stored}, drifted (count of tables whose triggers need re-installing: outdated, missing or renamed),
// tables [{name, triggers_match, triggers ("match", "outdated", "missing", "renamed", "table_dropped"),
// renamed_to (null unless renamed)}].
std::string FormatStatusJson(const std::string& db_path, const CaptureStatus& status);

}  // namespace sqlite_cdc::cli
