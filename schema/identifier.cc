#include "schema/identifier.h"

namespace sqlite_cdc::schema {
namespace {

std::string Quote(std::string_view text, char quote) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back(quote);
  for (char c : text) {
    if (c == quote) out.push_back(quote);
    out.push_back(c);
  }
  out.push_back(quote);
  return out;
}

}  // namespace

std::string QuoteIdentifier(std::string_view name) { return Quote(name, '"'); }

std::string QuoteLiteral(std::string_view text) { return Quote(text, '\''); }

bool IsReservedName(std::string_view name) {
  constexpr std::string_view kReserved = "sqlite_";
  if (name.size() < kReserved.size()) return false;
  for (size_t i = 0; i < kReserved.size(); ++i) {
    const char c = name[i] >= 'A' && name[i] <= 'Z' ? static_cast<char>(name[i] - 'A' + 'a') : name[i];
    if (c != kReserved[i]) return false;
  }
  return true;
}

}  // namespace sqlite_cdc::schema
