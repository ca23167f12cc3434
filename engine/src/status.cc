#include "sqlite_cdc/status.h"

namespace sqlite_cdc {

const char* CodeName(Status::Code code) {
  switch (code) {
    case Status::Code::kOk:
      return "ok";
    case Status::Code::kInvalidArgument:
      return "invalid argument";
    case Status::Code::kNotFound:
      return "not found";
    case Status::Code::kCorruption:
      return "corruption";
    case Status::Code::kUnavailable:
      return "unavailable";
    case Status::Code::kCancelled:
      return "cancelled";
    case Status::Code::kDatabaseError:
      return "database error";
    case Status::Code::kHandlerFailed:
      return "handler failed";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(CodeName(code_)) + ": " + message_;
}

Status Status::WithContext(const std::string& doing) const {
  if (ok()) return *this;
  return Status(code_, doing + ": " + message_);
}

}  // namespace sqlite_cdc
