#include "sinks/json/json_lines_sink.h"

#include "sinks/stream_writer.h"

namespace sqlite_cdc::sinks {

HandlerResult JsonLinesSink::Handle(const Changes& batch) {
  buffer_.clear();
  for (const Change& change : batch) {
    AppendEventJson(buffer_, change);
    buffer_ += '\n';
  }
  return WriteAndFlush(stream_, buffer_);
}

}  // namespace sqlite_cdc::sinks
