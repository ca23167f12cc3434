#pragma once

#include <string>

namespace sqlite_cdc::internal {

// Holds an exclusive flock on "<db>.<log>.cdc-lock" beside the database for its lifetime, so that
// only one engine drains a log. The kernel drops the lock when the process dies, even by SIGKILL.
// Throws InvalidInput when another engine holds it.
class LogLock {
 public:
  LogLock(const std::string& db_path, const std::string& log_table);
  LogLock(const LogLock&) = delete;
  LogLock& operator=(const LogLock&) = delete;
  ~LogLock();

 private:
  int fd_ = -1;
};

}  // namespace sqlite_cdc::internal
