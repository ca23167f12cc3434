#pragma once

#include <string>
#include <utility>

namespace sqlite_cdc {

// The outcome of a public call. Expected failures are values, not exceptions: a call that can fail
// returns a Status, and ignoring one is a compile error ([[nodiscard]]).
//
// The code says what kind of failure it is, for a program to act on; the message says what was
// being done and what went wrong, for a person (`acknowledge log ids 1..256: step: database is
// locked`). A message about an option names it as EngineOptions or CaptureOptions spell it
// (`batch_size must be at least 1`), first thing in the message, so a program with flags of other
// names can say it in its own words.
class [[nodiscard]] Status {
 public:
  enum class Code {
    kOk,
    // The options, a file or a name given are wrong (bad option value, not an SQLite database, an
    // existing file where a new one goes, a log whose bookkeeping is inconsistent): the caller's to fix.
    kInvalidArgument,
    // Something named does not exist: the database file, a table, the change log (setup not run),
    // an archive.
    kNotFound,
    // Data that should be well formed is not: a damaged log row (unknown operation, invalid JSON),
    // a damaged archive object, a gap in an archive.
    kCorruption,
    // The database stayed busy, locked or full, or a remote store stayed unreachable: a fault that
    // goes away by itself; trying again later may succeed.
    kUnavailable,
    // Stop() came before the call finished its work (a bootstrap cut short); nothing was lost, and
    // what was not delivered is delivered by a later run.
    kCancelled,
    // SQLite, or a file the engine keeps beside the database, failed while the engine used it.
    kDatabaseError,
    // The handler gave up, or kept failing past the retry bounds.
    kHandlerFailed,
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string message) { return Status(Code::kInvalidArgument, std::move(message)); }
  static Status NotFound(std::string message) { return Status(Code::kNotFound, std::move(message)); }
  static Status Corruption(std::string message) { return Status(Code::kCorruption, std::move(message)); }
  static Status Unavailable(std::string message) { return Status(Code::kUnavailable, std::move(message)); }
  static Status Cancelled(std::string message) { return Status(Code::kCancelled, std::move(message)); }
  static Status DatabaseError(std::string message) { return Status(Code::kDatabaseError, std::move(message)); }
  static Status HandlerFailed(std::string message) { return Status(Code::kHandlerFailed, std::move(message)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  // Empty when ok().
  const std::string& message() const { return message_; }

  // "OK", or the kind and the message: "not found: database file not found: app.db".
  std::string ToString() const;

  // The same failure, with what was being done in front of the message: "open engine: ...".
  // An ok Status stays as it is.
  Status WithContext(const std::string& doing) const;

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  Code code_ = Code::kOk;
  std::string message_;
};

// The lowercase name of a code ("invalid argument", "not found"), as ToString() writes it.
const char* CodeName(Status::Code code);

}  // namespace sqlite_cdc
