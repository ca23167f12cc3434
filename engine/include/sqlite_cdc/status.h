#pragma once

#include <string>
#include <utility>

namespace sqlite_cdc {

// The outcome of a public call. Expected failures are values, not exceptions.
class Status {
 public:
  enum class Code {
    kOk,
    kInvalidInput,   // bad flags, missing file, unknown table, no setup done: the caller's to fix
    kDatabaseError,  // SQLite failed while we used it
    kHandlerFailed,  // the handler gave up, or kept failing past the retry bounds
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status InvalidInput(std::string message) { return Status(Code::kInvalidInput, std::move(message)); }
  static Status DatabaseError(std::string message) { return Status(Code::kDatabaseError, std::move(message)); }
  static Status HandlerFailed(std::string message) { return Status(Code::kHandlerFailed, std::move(message)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // The command-line convention: 0 success, 2 bad usage or input, 1 anything else.
  int ExitCode() const { return ok() ? 0 : code_ == Code::kInvalidInput ? 2 : 1; }

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  Code code_ = Code::kOk;
  std::string message_;
};

}  // namespace sqlite_cdc
