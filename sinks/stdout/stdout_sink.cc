#include "sinks/stdout/stdout_sink.h"

#include "sinks/stream_writer.h"

namespace sqlite_cdc::sinks {
namespace {

void AppendHexEscape(std::string& out, unsigned char byte) {
  static constexpr char kDigits[] = "0123456789abcdef";
  out += "\\x";
  out += kDigits[byte >> 4];
  out += kDigits[byte & 0xf];
}

// Appends `text` with its control characters escaped; a C1 control (UTF-8 C2 80 to C2 9F) becomes
// the \xNN of its code point.
void AppendEscaped(std::string& out, std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte == 0x7f) {
      AppendHexEscape(out, byte);
    } else if (byte == 0xc2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(text[i + 1]) <= 0x9f) {
      AppendHexEscape(out, static_cast<unsigned char>(text[++i]));
    } else {
      out += text[i];
    }
  }
}

}  // namespace

HandlerResult StdoutSink::Handle(const Changes& batch) {
  buffer_.clear();
  for (const Change& change : batch) {
    AppendEscaped(buffer_, change.timestamp);
    buffer_ += ": ";
    AppendEscaped(buffer_, change.table);
    buffer_ += ' ';
    buffer_ += OperationName(change.operation);
    buffer_ += ' ';
    AppendEscaped(buffer_, change.key);
    buffer_ += '\n';
  }
  return WriteAndFlush(stream_, buffer_);
}

}  // namespace sqlite_cdc::sinks
