#include "dead_letter_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "database.h"
#include "utf8.h"

namespace sqlite_cdc::internal {
namespace {

std::string Hex(const std::string& bytes) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) out += {kHex[c >> 4], kHex[c & 15]};
  return out;
}

void SetColumn(nlohmann::ordered_json& json, const std::string& name, const std::optional<std::string>& text) {
  if (!text) {
    json[name] = nullptr;
    return;
  }
  std::string repaired = *text;
  if (RepairUtf8(repaired)) {
    json[name + "_hex"] = Hex(*text);
  } else {
    json[name] = *text;
  }
}

}  // namespace

std::string DamagedRowJson(const DamagedRow& row) {
  nlohmann::ordered_json json;
  json["id"] = row.id;
  SetColumn(json, "table", row.table);
  SetColumn(json, "timestamp", row.timestamp);
  SetColumn(json, "operation", row.operation);
  SetColumn(json, "key", row.key);
  SetColumn(json, "before", row.before);
  SetColumn(json, "after", row.after);
  json["problem"] = row.problem;
  return json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

DeadLetterFile::DeadLetterFile(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) throw InvalidInput("cannot open dead_letter_path file " + path + ": " + std::strerror(errno));
}

DeadLetterFile::~DeadLetterFile() {
  if (fd_ >= 0) ::close(fd_);
}

void DeadLetterFile::Append(const DamagedRow& row) {
  const std::string line = DamagedRowJson(row) + "\n";
  // A short write is continued; O_APPEND puts every line at the end of what the file holds.
  for (size_t done = 0; done < line.size();) {
    const ssize_t written = ::write(fd_, line.data() + done, line.size() - done);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) throw DatabaseError("write dead_letter_path file " + path_ + ": " + std::strerror(errno));
    done += static_cast<size_t>(written);
  }
  if (::fdatasync(fd_) != 0) throw DatabaseError("sync dead_letter_path file " + path_ + ": " + std::strerror(errno));
}

}  // namespace sqlite_cdc::internal
