#include "sinks/stream_writer.h"

#include <cerrno>
#include <cstring>

namespace sqlite_cdc::sinks {

HandlerResult WriteAndFlush(std::FILE* stream, const std::string& text) {
  if (std::fwrite(text.data(), 1, text.size(), stream) != text.size() || std::fflush(stream) != 0) {
    return HandlerResult::Fatal(std::string("write to output: ") + std::strerror(errno));
  }
  return HandlerResult::Success();
}

}  // namespace sqlite_cdc::sinks
