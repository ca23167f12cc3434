#include "log_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

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

std::string RealPath(const std::string& path) {
  const std::unique_ptr<char, decltype(&std::free)> real(::realpath(path.c_str(), nullptr), &std::free);
  if (!real && errno == ENOENT) throw NotFound("resolve " + path + ": " + std::strerror(errno));
  if (!real) throw DatabaseError("resolve " + path + ": " + std::strerror(errno));
  return real.get();
}

// What the holder wrote into the lock file, on one line; empty when unreadable.
std::string Holder(int fd) {
  char buffer[512];
  const ssize_t size = ::pread(fd, buffer, sizeof(buffer) - 1, 0);
  if (size <= 0) return "";
  std::string text(buffer, static_cast<size_t>(size));
  text = text.substr(0, text.find('\n'));
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return text;
}

}  // namespace

std::string LogLock::LockPathFor(const std::string& db_path, const std::string& log_table) {
  const std::string real = RealPath(db_path);
  struct stat info {};
  if (::stat(real.c_str(), &info) != 0) throw DatabaseError("stat " + db_path + ": " + std::strerror(errno));
  const size_t slash = real.rfind('/');
  const std::string folder = slash == 0 ? "" : real.substr(0, slash);
  return folder + "/." + std::to_string(static_cast<unsigned long long>(info.st_dev)) + "-" +
         std::to_string(static_cast<unsigned long long>(info.st_ino)) + "." + SafeName(log_table) + ".sqlite-cdc-lock";
}

LogLock::LogLock(const std::string& db_path, const std::string& log_table) {
  const std::string path = LockPathFor(db_path, log_table);
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw DatabaseError("open lock file " + path + ": " + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    const std::string holder = error == EWOULDBLOCK ? Holder(fd_) : "";
    ::close(fd_);
    fd_ = -1;
    if (error == EWOULDBLOCK) {
      throw InvalidInput("another sqlite-cdc engine" + (holder.empty() ? "" : " (" + holder + ")") +
                         " is already draining " + log_table + " of " + db_path +
                         " (the same database file, however its path is spelled); stop it first");
    }
    throw DatabaseError("lock " + path + ": " + std::strerror(error));
  }
  // For the refusal message of a second engine; a failure here costs only that detail.
  const std::string holder = "pid " + std::to_string(::getpid()) + ", opened as " + db_path + "\n";
  if (::ftruncate(fd_, 0) == 0) {
    [[maybe_unused]] const ssize_t written = ::pwrite(fd_, holder.data(), holder.size(), 0);
  }
}

LogLock::~LogLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace sqlite_cdc::internal
