#include "sinks/postgres/postgres_url.h"

#include <libpq-fe.h>

#include <algorithm>
#include <fstream>
#include <string_view>
#include <vector>

#include "sinks/net/url_redaction.h"

namespace sqlite_cdc::sinks {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding as libpq does it; false for a malformed escape.
bool PercentDecode(std::string_view text, std::string* out) {
  out->clear();
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out->push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return false;
    const int high = HexDigit(text[i + 1]);
    const int low = HexDigit(text[i + 2]);
    if (high < 0 || low < 0) return false;
    out->push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return true;
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

// libpq's parse errors quote what they could not take ("invalid integer value "..." for connection
// option "port""), which may be a password a stray '/' or '?' moved out of the user info: every
// quoted text that is not one of libpq's option names is masked.
std::vector<std::string> LibpqKeywords() {
  std::vector<std::string> keywords;
  if (PQconninfoOption* defaults = PQconndefaults()) {
    for (const PQconninfoOption* option = defaults; option->keyword; ++option) keywords.emplace_back(option->keyword);
    PQconninfoFree(defaults);
  }
  return keywords;
}

bool IsKeyword(const std::vector<std::string>& keywords, const std::string& name) {
  return std::find(keywords.begin(), keywords.end(), name) != keywords.end();
}

std::string MaskQuotedValues(const std::string& message, const std::vector<std::string>& keywords) {
  std::string masked;
  size_t start = 0;
  while (true) {
    const size_t open = message.find('"', start);
    const size_t close = open == std::string::npos ? std::string::npos : message.find('"', open + 1);
    if (close == std::string::npos) return masked + message.substr(start);
    const std::string quoted = message.substr(open + 1, close - open - 1);
    masked += message.substr(start, open + 1 - start) + (IsKeyword(keywords, quoted) ? quoted : "***") + "\"";
    start = close + 1;
  }
}

}  // namespace

Status ParsePostgresUrl(const std::string& url, PostgresTarget* target) {
  *target = PostgresTarget{};
  target->display = RedactUrl(url);
  const std::string_view text(url);
  size_t scheme_end = 0;
  if (text.rfind("postgres://", 0) == 0) {
    scheme_end = 11;
  } else if (text.rfind("postgresql://", 0) == 0) {
    scheme_end = 13;
  } else {
    return Status::InvalidArgument("not a postgres:// URL: " + target->display);
  }
  const size_t query_start = text.find('?');
  const std::string_view before_query = text.substr(0, query_start);
  const size_t authority_end = before_query.find('/', scheme_end);
  const std::string_view authority = before_query.substr(
      scheme_end, authority_end == std::string_view::npos ? std::string_view::npos : authority_end - scheme_end);
  const size_t at = authority.rfind('@');
  // An '@' past the first '/' after a ':' is user info with a '/' in its password: libpq would take
  // the password for a host and a port and quote it in its errors.
  const size_t late_at =
      authority_end == std::string_view::npos ? std::string_view::npos : before_query.find('@', authority_end);
  const bool late_user_info = late_at != std::string_view::npos &&
                              before_query.substr(scheme_end, late_at - scheme_end).find(':') != std::string_view::npos;
  if (late_user_info || (at != std::string_view::npos && authority.substr(0, at).find(':') != std::string_view::npos)) {
    return Status::InvalidArgument("a password in the --output URL is not accepted (it would show in process lists): " +
                                   target->display + "; give it in PGPASSWORD, ~/.pgpass or --pg-password-file");
  }

  const std::vector<std::string> keywords = LibpqKeywords();
  std::string conninfo(before_query);
  std::string separator = "?";
  // An '@' in the query may be the rest of a password that holds a '?': then no parameter name is
  // repeated in a message (libpq's own parse below decides, and its messages are masked).
  const bool at_in_query =
      query_start != std::string_view::npos && text.find('@', query_start) != std::string_view::npos;
  if (query_start != std::string_view::npos) {
    for (std::string_view parameter : Split(text.substr(query_start + 1), '&')) {
      if (parameter.empty()) continue;
      const size_t equals = parameter.find('=');
      std::string name, value;
      if (!PercentDecode(parameter.substr(0, equals), &name) ||
          (equals != std::string_view::npos && !PercentDecode(parameter.substr(equals + 1), &value))) {
        return Status::InvalidArgument("malformed percent-escape in --output " + target->display);
      }
      if (name == "password") {
        return Status::InvalidArgument("a password in the --output URL is not accepted: " + target->display +
                                       "; give it in PGPASSWORD, ~/.pgpass or --pg-password-file");
      }
      // A misspelt parameter is named. libpq's URIs also take ssl=true (sslmode=require).
      if (!at_in_query && name != "schema" && name != "ssl" && !IsKeyword(keywords, name)) {
        return Status::InvalidArgument("--output " + target->display + ": unknown parameter \"" + name + "\"");
      }
      if (name == "schema") {
        if (value.empty()) return Status::InvalidArgument("empty schema= in --output " + target->display);
        target->schema = value;
        continue;
      }
      conninfo += separator + std::string(parameter);
      separator = "&";
    }
  }
  // What libpq would refuse at the first connection (an unknown parameter, a bad port) is bad usage.
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (options == nullptr) {
    std::string message = error ? error : "out of memory";
    PQfreemem(error);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    return Status::InvalidArgument("--output " + target->display + ": " + MaskQuotedValues(message, keywords));
  }
  // A password where libpq finds one, whatever the text looked like to the checks above (a '?' or a
  // '/' inside it moves the user info's end for a reader, not for libpq).
  bool password = false;
  for (const PQconninfoOption* option = options; option->keyword; ++option) {
    const std::string_view keyword(option->keyword);
    if ((keyword == "password" || keyword == "sslpassword") && option->val && *option->val) password = true;
  }
  PQconninfoFree(options);
  if (password) {
    return Status::InvalidArgument("a password in the --output URL is not accepted (it would show in process lists): " +
                                   target->display + "; give it in PGPASSWORD, ~/.pgpass or --pg-password-file");
  }
  target->conninfo = std::move(conninfo);
  return Status::Ok();
}

Status ReadPasswordFile(const std::string& path, std::string* password) {
  std::ifstream file(path);
  if (!file) return Status::InvalidArgument("cannot read --pg-password-file " + path);
  std::getline(file, *password);
  if (!password->empty() && password->back() == '\r') password->pop_back();
  return Status::Ok();
}

}  // namespace sqlite_cdc::sinks
