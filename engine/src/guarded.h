#pragma once

#include <exception>
#include <utility>

#include "database.h"
#include "sqlite_cdc/status.h"

namespace sqlite_cdc::internal {

// Runs `body` and maps the exceptions of the internal layer onto a Status at the public boundary.
template <typename Body>
Status Guarded(Body&& body) {
  try {
    return std::forward<Body>(body)();
  } catch (const InvalidInput& error) {
    return Status::InvalidInput(error.what());
  } catch (const DatabaseError& error) {
    return error.invalid_input() ? Status::InvalidInput(error.what()) : Status::DatabaseError(error.what());
  } catch (const std::exception& error) {
    return Status::DatabaseError(error.what());
  }
}

}  // namespace sqlite_cdc::internal
