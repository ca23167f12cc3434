#include "flag_names.h"

#include <cctype>
#include <string_view>

namespace sqlite_cdc::cli {
namespace {

struct FlagName {
  std::string_view option;  // as the library's messages write it
  std::string_view flag;
};

constexpr FlagName kFlagNames[] = {
    {"batch_size", "--batch-size"},
    {"poll_interval", "--poll-interval"},
    {"retry.max_attempts", "--retry-attempts"},
    {"retry.initial_backoff", "--retry-initial-backoff"},
    {"retry.max_backoff", "--retry-max-backoff"},
    {"ack_interval", "--ack-interval"},
    {"pipeline.max_changes", "--max-in-flight"},
    {"pipeline.max_bytes", "--max-in-flight-bytes"},
    {"pipeline.stop_grace", "--stop-grace"},
    {"dead_letter_path", "--dead-letter"},
    {"log_table", "--log-table"},
    {"db_params", "--db-params"},
    {"blobs=true", "--blobs"},
    {"subsecond=false", "--disable-subsec"},
    {"keep_unchanged_updates=true", "--keep-unchanged-updates"},
    {"discard_undelivered", "--force"},
};

// Characters that make a match part of a longer name ("my_log_table", "log_table.x") or of a quoted
// value (a table named 'batch_size'): those stay as they are.
bool PartOfAName(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' || c == '=' || c == '\'' ||
         c == '"';
}

// The option name starting at `at`, if one does as a whole word.
const FlagName* NameAt(const std::string& message, size_t at) {
  if (at > 0 && PartOfAName(message[at - 1])) return nullptr;
  for (const FlagName& name : kFlagNames) {
    if (message.compare(at, name.option.size(), name.option) != 0) continue;
    const size_t end = at + name.option.size();
    if (end < message.size() && PartOfAName(message[end])) continue;
    return &name;
  }
  return nullptr;
}

}  // namespace

std::string InFlagWords(const std::string& message) {
  std::string out;
  out.reserve(message.size());
  for (size_t at = 0; at < message.size();) {
    if (const FlagName* name = NameAt(message, at)) {
      out += name->flag;
      at += name->option.size();
    } else {
      out += message[at++];
    }
  }
  return out;
}

}  // namespace sqlite_cdc::cli
