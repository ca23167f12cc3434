#pragma once

#include <string>
#include <vector>

#include "sqlite_cdc/options.h"
#include "sqlite_cdc/status.h"

namespace sqlite_cdc::cli {

// The tables the log of `options` (its --db and --log-table) watches, read without changing the
// database. kInvalidArgument when the file is missing or that log was never set up.
Status ReadWatchedTables(const CaptureOptions& options, std::vector<std::string>* tables);

// The line a successful setup ends with: "app.db: watching 2 tables (items, users), log __cdc_log".
std::string SetupSummary(const CaptureOptions& options, const std::vector<std::string>& watched);

// The line a successful teardown ends with: the tables whose triggers went and what is still
// watched, or that the log went too (`after` unset).
std::string TeardownSummary(const CaptureOptions& options, const std::vector<std::string>& before,
                            const std::vector<std::string>* after);

}  // namespace sqlite_cdc::cli
