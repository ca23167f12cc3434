#include "detached_snapshot.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string_view>

#include "snapshot_spool.h"

namespace sqlite_cdc::internal {
namespace {

constexpr std::string_view kFilePrefix = "sqlite-cdc-snapshot-";  // then the owner's pid, '-', a random tail

// Removes the copies whose engine died while writing them (a SIGKILL, a crash): their file was not
// unlinked yet, and a crash loop would fill the folder. A writer holds an flock on its file until it
// unlinks it, and the kernel drops the lock with the process, so a file that can be locked has no
// owner left. (Pids say less: an engine that is PID 1 in a container has the same pid after every
// restart, and a pid is reused.)
void RemoveLeftovers(const std::filesystem::path& folder) {
  std::error_code error;  // a folder that cannot be read is left as it is: the copy's own creation reports it
  for (std::filesystem::directory_iterator entry(folder, error), end; !error && entry != end; entry.increment(error)) {
    const std::filesystem::path& path = entry->path();
    if (path.filename().string().rfind(kFilePrefix, 0) != 0) continue;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) continue;
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) ::unlink(path.c_str());
    ::close(fd);
  }
}

// A file of its own for the copy, locked (see RemoveLeftovers) and removed at the end of its scope.
class TemporaryFile {
 public:
  TemporaryFile() {
    std::error_code error;
    std::filesystem::path folder = std::filesystem::temp_directory_path(error);
    if (error) folder = "/tmp";
    RemoveLeftovers(folder);
    std::string name = (folder / (std::string(kFilePrefix) + std::to_string(::getpid()) + "-XXXXXX")).string();
    fd_ = mkostemp(name.data(), O_CLOEXEC);
    if (fd_ < 0) throw DatabaseError("create a temporary file in " + folder.string() + ": " + std::strerror(errno));
    // Another engine's sweep may lock and remove it in the instant before this lock: the copy then
    // goes into a file SQLite creates at the same path, which this one still removes.
    ::flock(fd_, LOCK_EX);
    path_ = name;
  }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  ~TemporaryFile() {
    ::unlink(path_.c_str());
    ::close(fd_);
  }
  const std::string& path() const { return path_; }

 private:
  int fd_ = -1;
  std::string path_;
};

}  // namespace

std::unique_ptr<DetachedSnapshot> DetachedSnapshot::Take(Database& db, const std::vector<schema::TableSchema>& tables,
                                                         const schema::LogTableNames& log, bool blobs, bool subsecond,
                                                         const std::function<bool()>& stop) {
  TemporaryFile file;
  int64_t position = 0, rows = 0, schema_version = 0;
  std::string taken_at;
  {
    SnapshotSpool spool(db, tables, log, blobs, subsecond, BootstrapProgressCallback(), file.path(), stop);
    position = spool.log_position();
    rows = spool.rows();
    taken_at = spool.timestamp();
    schema_version = spool.schema_version();
  }  // detached: the engine's connection lets go of the file
  Database copy = Database::OpenReadOnly(file.path());
  // The connection holds the file open: the name may go now (TemporaryFile's destructor).
  return std::unique_ptr<DetachedSnapshot>(
      new DetachedSnapshot(std::move(copy), position, rows, std::move(taken_at), schema_version));
}

Status DetachedSnapshot::Next(size_t limit, Changes* batch) {
  try {
    SnapshotSpool::ReadRows(file_, "rows", taken_at_, limit, &cursor_, *batch);
    return Status::Ok();
  } catch (const std::exception& error) {
    return Status::DatabaseError(std::string("read the snapshot's copy: ") + error.what());
  }
}

}  // namespace sqlite_cdc::internal
