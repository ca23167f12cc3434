#include "log_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include "database.h"

namespace sqlite_cdc::internal {
namespace {

// File-name-safe form of a log table name: letters, digits and '_' kept, anything else hex-escaped.
std::string SafeName(const std::string& name) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : name) {
    if (std::isalnum(c) || c == '_') {
      out.push_back(static_cast<char>(c));
    } else {
      out += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return out;
}

}  // namespace

LogLock::LogLock(const std::string& db_path, const std::string& log_table) {
  const std::string path = db_path + "." + SafeName(log_table) + ".cdc-lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw DatabaseError("open lock file " + path + ": " + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    ::close(fd_);
    fd_ = -1;
    if (error == EWOULDBLOCK) {
      throw InvalidInput("another sqlite-cdc engine is already draining " + log_table + " of " + db_path);
    }
    throw DatabaseError("lock " + path + ": " + std::strerror(error));
  }
}

LogLock::~LogLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace sqlite_cdc::internal
