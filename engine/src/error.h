#pragma once

#include <sqlite3.h>

#include <exception>
#include <string>
#include <string_view>

#include "sqlite_cdc/status.h"

namespace sqlite_cdc::internal {

// A failure of the internal layer. Thrown; Guarded() turns it into a Status of the same code at the
// public boundary. A layer that lets one pass names what it was doing with AddContext() and throws
// the same object on (`throw;`), so its type and code survive: the message then reads outermost
// first, "acknowledge log ids 1..256: step: database is locked".
class Error : public std::exception {
 public:
  Error(Status::Code code, std::string message) : code_(code), message_(std::move(message)) {}
  const char* what() const noexcept override { return message_.c_str(); }
  Status::Code code() const { return code_; }
  void AddContext(std::string_view doing) { message_ = std::string(doing) + ": " + message_; }

 private:
  Status::Code code_;
  std::string message_;
};

// SQLite, or a file the engine keeps beside the database, failed. A busy, locked or full database
// is kUnavailable, a damaged one kCorruption, anything else kDatabaseError.
class DatabaseError : public Error {
 public:
  explicit DatabaseError(std::string message, int sqlite_code = SQLITE_ERROR)
      : Error(CodeOf(sqlite_code), std::move(message)), sqlite_code_(sqlite_code) {}
  // SQLite's extended result code.
  int sqlite_code() const { return sqlite_code_; }
  // A busy or locked database (another connection held its lock past the busy timeout) or a full
  // disk: faults that go away by themselves, so the engine waits and tries again.
  bool transient() const { return code() == Status::Code::kUnavailable; }

 private:
  static Status::Code CodeOf(int sqlite_code) {
    switch (sqlite_code & 0xff) {
      case SQLITE_BUSY:
      case SQLITE_LOCKED:
      case SQLITE_FULL:
        return Status::Code::kUnavailable;
      case SQLITE_CORRUPT:
        return Status::Code::kCorruption;
      default:
        return Status::Code::kDatabaseError;
    }
  }

  int sqlite_code_;
};

// Input the caller must fix (a bad option, a name that is not a table, a file that is not a
// database): kInvalidArgument, or kNotFound through NotFound.
class InvalidInput : public Error {
 public:
  explicit InvalidInput(std::string message, Status::Code code = Status::Code::kInvalidArgument)
      : Error(code, std::move(message)) {}
};

// Something named does not exist: the database file, a table, the change log. Caught as InvalidInput
// where either will do.
class NotFound : public InvalidInput {
 public:
  explicit NotFound(std::string message) : InvalidInput(std::move(message), Status::Code::kNotFound) {}
};

// Data that should be well formed is not (a damaged log row).
class Corruption : public Error {
 public:
  explicit Corruption(std::string message) : Error(Status::Code::kCorruption, std::move(message)) {}
};

}  // namespace sqlite_cdc::internal
