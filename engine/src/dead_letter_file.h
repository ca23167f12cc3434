#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace sqlite_cdc::internal {

// A log row that cannot be a change event, with its columns exactly as the log holds them.
struct DamagedRow {
  int64_t id = 0;
  std::string table;
  std::string timestamp;
  std::string operation;
  std::optional<std::string> key;
  std::optional<std::string> before;
  std::optional<std::string> after;
  std::string problem;  // what ChangeDamage (or the operation check) said
};

// One JSON line for `row`: {"id","table","timestamp","operation","key","before","after","problem"}.
// Each column is a JSON string holding its text (null for NULL), or, when the text is not valid
// UTF-8, "<column>_hex" with its bytes in uppercase hex instead, so the line is valid JSON and
// loses no byte.
std::string DamagedRowJson(const DamagedRow& row);

// Appends damaged rows to a file (--dead-letter), one line each, and makes each line durable
// (fdatasync) before Append returns: a row leaves the log only once it is on disk here. Several
// runs append to the same file; a row whose batch was not acknowledged before a stop or crash is
// appended again by the next run (same id).
class DeadLetterFile {
 public:
  // Opens (creates) the file for appending; throws InvalidInput when that fails.
  explicit DeadLetterFile(const std::string& path);
  DeadLetterFile(const DeadLetterFile&) = delete;
  DeadLetterFile& operator=(const DeadLetterFile&) = delete;
  ~DeadLetterFile();

  // Throws DatabaseError when the line cannot be written and synced.
  void Append(const DamagedRow& row);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace sqlite_cdc::internal
