#pragma once

#include <exception>
#include <string>
#include <utility>

#include "error.h"
#include "sqlite_cdc/status.h"

namespace sqlite_cdc::internal {

// The Status of a code, for turning an internal Error into one.
inline Status StatusOf(Status::Code code, std::string message) {
  switch (code) {
    case Status::Code::kOk:
      return Status::Ok();
    case Status::Code::kInvalidArgument:
      return Status::InvalidArgument(std::move(message));
    case Status::Code::kNotFound:
      return Status::NotFound(std::move(message));
    case Status::Code::kCorruption:
      return Status::Corruption(std::move(message));
    case Status::Code::kUnavailable:
      return Status::Unavailable(std::move(message));
    case Status::Code::kCancelled:
      return Status::Cancelled(std::move(message));
    case Status::Code::kHandlerFailed:
      return Status::HandlerFailed(std::move(message));
    case Status::Code::kDatabaseError:
      break;
  }
  return Status::DatabaseError(std::move(message));
}

// Runs `body` and maps the exceptions of the internal layer onto a Status at the public boundary.
template <typename Body>
Status Guarded(Body&& body) {
  try {
    return std::forward<Body>(body)();
  } catch (const Error& error) {
    return StatusOf(error.code(), error.what());
  } catch (const std::exception& error) {
    return Status::DatabaseError(error.what());
  }
}

// Guarded, for a public call that does one thing to one database: a failure of the database, of a
// file or of the data says what was being done (`set up app.db: execute: disk I/O error`). Input
// errors already say what is wrong in the caller's terms and go out as they are.
template <typename Body>
Status GuardedDoing(const std::string& doing, Body&& body) {
  Status status = Guarded(std::forward<Body>(body));
  switch (status.code()) {
    case Status::Code::kDatabaseError:
    case Status::Code::kUnavailable:
    case Status::Code::kCorruption:
      return status.WithContext(doing);
    default:
      return status;
  }
}

}  // namespace sqlite_cdc::internal
