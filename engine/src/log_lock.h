#pragma once

#include <string>

namespace sqlite_cdc::internal {

// Holds an exclusive flock for its lifetime so that only one engine drains a log of a database
// file, however its path is spelled. The lock file is keyed on the file itself, not on the path:
// ".<device>-<inode>.<log>.sqlite-cdc-lock" in the folder of the database's real path (symlinks,
// symlinked folders and relative parts resolved), so a symlink, a relative path or a hard link in the
// same folder all meet the same lock. The database file itself is never opened here: closing any
// descriptor of it would drop SQLite's own POSIX locks held by this process. The kernel drops the
// flock when the process dies, even by SIGKILL; the file stays. The holder writes its pid and the
// path it was given into the file, so the refusal can name them.
// Throws InvalidInput when another engine holds it.
class LogLock {
 public:
  LogLock(const std::string& db_path, const std::string& log_table);
  LogLock(const LogLock&) = delete;
  LogLock& operator=(const LogLock&) = delete;
  ~LogLock();

  // The lock file's path.
  static std::string LockPathFor(const std::string& db_path, const std::string& log_table);

 private:
  int fd_ = -1;
};

}  // namespace sqlite_cdc::internal
