#include "sinks/sqlite/replica_url.h"

#include <filesystem>

namespace sqlite_cdc::sinks {

namespace {

constexpr std::string_view kScheme = "sqlite://";

// The same file, also when one of them does not exist yet (then their spelled-out forms compare).
bool SameFile(const std::string& a, const std::string& b) {
  std::error_code error_a, error_b;
  if (std::filesystem::equivalent(a, b, error_a)) return true;
  const auto canonical_a = std::filesystem::weakly_canonical(a, error_a);
  const auto canonical_b = std::filesystem::weakly_canonical(b, error_b);
  return !error_a && !error_b && canonical_a == canonical_b;
}

}  // namespace

Status ParseReplicaUrl(const std::string& url, const std::string& source_db, std::string* path) {
  *path = url.substr(kScheme.size());
  if (path->empty()) return Status::InvalidArgument("--output sqlite:// needs a file: sqlite:///abs/replica.db");
  if (path->find_first_of("?#") != std::string::npos) {
    return Status::InvalidArgument("--output " + url + ": a replica URL takes no query or fragment");
  }
  if (!source_db.empty() && SameFile(*path, source_db)) {
    return Status::InvalidArgument("--output " + url + " is the source database itself; name another file");
  }
  return Status::Ok();
}

}  // namespace sqlite_cdc::sinks
