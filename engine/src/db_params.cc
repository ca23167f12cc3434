#include "db_params.h"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "database.h"

namespace sqlite_cdc::internal {
namespace {

bool IsPlainWord(const std::string& text, bool allow_punctuation) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [&](unsigned char c) {
    return std::isalnum(c) || c == '_' || (allow_punctuation && (c == '-' || c == '.'));
  });
}

Pragma ParseOne(const std::string& part) {
  const std::string prefix = "_pragma=";
  if (part.rfind(prefix, 0) != 0) {
    throw InvalidInput("db_params: unsupported parameter '" + part + "' (expected _pragma=name(value))");
  }
  const std::string body = part.substr(prefix.size());
  const size_t open = body.find('(');
  if (open == std::string::npos || body.back() != ')') {
    throw InvalidInput("db_params: malformed pragma '" + body + "' (expected name(value))");
  }
  Pragma pragma{body.substr(0, open), body.substr(open + 1, body.size() - open - 2)};
  if (!IsPlainWord(pragma.name, false) || !IsPlainWord(pragma.value, true)) {
    throw InvalidInput("db_params: invalid pragma '" + body + "'");
  }
  return pragma;
}

}  // namespace

std::vector<Pragma> ParseDbParams(const std::string& params) {
  std::vector<Pragma> pragmas;
  std::stringstream stream(params);
  std::string part;
  while (std::getline(stream, part, '&')) {
    if (!part.empty()) pragmas.push_back(ParseOne(part));
  }
  return pragmas;
}

std::string PragmaSql(const Pragma& pragma) { return "PRAGMA " + pragma.name + "=" + pragma.value; }

}  // namespace sqlite_cdc::internal
