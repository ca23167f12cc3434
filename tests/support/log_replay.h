#pragma once

#include <map>
#include <string>

#include "support/app_db.h"

namespace sqlite_cdc::testing {

// A consumer that keeps a table as a map from key JSON to image JSON and applies the log strictly:
// an INSERT of a key it holds, or an UPDATE or DELETE whose before image is not what it holds, is a
// mismatch. Replaying a table's whole log from its creation must give back the table.
class LogReplay {
 public:
  // Applies every undelivered log row of `table`; returns "" or a description of the first mismatch.
  std::string Apply(AppDb& db, const std::string& table);
  const std::map<std::string, std::string>& rows() const { return rows_; }

 private:
  std::map<std::string, std::string> rows_;
};

// The table as the triggers would image it now: key JSON -> image JSON (the bootstrap query).
std::map<std::string, std::string> ImagedRows(AppDb& db, const std::string& table, bool blobs = false);

}  // namespace sqlite_cdc::testing
