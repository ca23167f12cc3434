#include <cstdio>

#include "sqlite_cdc/change.h"

namespace sqlite_cdc {
namespace {

void AppendJsonString(std::string& out, std::string_view text) {
  out.push_back('"');
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
          out += escaped;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

void AppendImage(std::string& out, const std::optional<std::string>& image) {
  if (image) {
    out += *image;
  } else {
    out += "null";
  }
}

}  // namespace

std::string_view OperationName(Operation operation) {
  switch (operation) {
    case Operation::kInsert:
      return "INSERT";
    case Operation::kUpdate:
      return "UPDATE";
    case Operation::kDelete:
      return "DELETE";
  }
  return "INSERT";
}

void AppendEventJson(std::string& out, const Change& change) {
  out += "{\"id\":";
  out += std::to_string(change.id);
  out += ",\"table\":";
  AppendJsonString(out, change.table);
  out += ",\"timestamp\":";
  AppendJsonString(out, change.timestamp);
  out += ",\"operation\":\"";
  out += OperationName(change.operation);
  out += "\",\"key\":";
  out += change.key.empty() ? "null" : change.key;
  out += ",\"before\":";
  AppendImage(out, change.before);
  out += ",\"after\":";
  AppendImage(out, change.after);
  if (change.bootstrap) out += ",\"bootstrap\":true";
  out.push_back('}');
}

}  // namespace sqlite_cdc
