#include "exit_code.h"

namespace sqlite_cdc::cli {

int ExitCode(const Status& status) {
  switch (status.code()) {
    case Status::Code::kOk:
    case Status::Code::kCancelled:
      return 0;
    case Status::Code::kInvalidArgument:
    case Status::Code::kNotFound:
      return 2;
    case Status::Code::kCorruption:
    case Status::Code::kUnavailable:
    case Status::Code::kDatabaseError:
    case Status::Code::kHandlerFailed:
      return 1;
  }
  return 1;
}

}  // namespace sqlite_cdc::cli
