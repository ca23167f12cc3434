#include "sinks/stdout/stdout_sink.h"

#include "sinks/stream_writer.h"

namespace sqlite_cdc::sinks {

HandlerResult StdoutSink::Handle(const Changes& batch) {
  buffer_.clear();
  for (const Change& change : batch) {
    buffer_ += change.timestamp;
    buffer_ += ": ";
    buffer_ += change.table;
    buffer_ += ' ';
    buffer_ += OperationName(change.operation);
    buffer_ += '\n';
  }
  return WriteAndFlush(stream_, buffer_);
}

}  // namespace sqlite_cdc::sinks
