#include "sinks/net/url_redaction.h"

#include <cctype>

namespace sqlite_cdc::sinks {
namespace {

constexpr std::string_view kHidden = "***";

bool IsSchemeChar(unsigned char c) { return std::isalnum(c) || c == '+' || c == '-' || c == '.'; }

// Where the authority starts: after "scheme://" (and any further slashes), else at 0, so that a
// URL with a misspelt scheme is treated as all authority and hides more rather than less.
size_t AuthorityStart(std::string_view url) {
  size_t at = 0;
  while (at < url.size() && IsSchemeChar(static_cast<unsigned char>(url[at]))) ++at;
  if (at == 0 || !std::isalpha(static_cast<unsigned char>(url[0])) || url.substr(at, 3) != "://") return 0;
  at += 3;
  while (at < url.size() && url[at] == '/') ++at;
  return at;
}

void AppendRedactedQuery(std::string& out, std::string_view query) {
  for (size_t start = 0; start <= query.size();) {
    const size_t end = std::min(query.find('&', start), query.size());
    const std::string_view pair = query.substr(start, end - start);
    if (start > 0) out += '&';
    if (const size_t equals = pair.find('='); equals != std::string_view::npos) {
      out.append(pair.substr(0, equals + 1)).append(kHidden);
    } else if (!pair.empty()) {
      out.append(kHidden);  // a bare value may be the token itself
    }
    start = end + 1;
  }
}

bool IsTokenEnd(char c) {
  return std::isspace(static_cast<unsigned char>(c)) || c == '\'' || c == '"' || c == '`' || c == '<' || c == '>';
}

}  // namespace

std::string RedactUrl(std::string_view url) {
  const size_t authority = AuthorityStart(url);
  std::string out(url.substr(0, authority));
  std::string_view rest = url.substr(authority);
  const size_t fragment = rest.find('#');
  const size_t query = rest.substr(0, fragment).find('?');
  const std::string_view before_query = rest.substr(0, std::min(query, fragment));
  // As a URL parser reads it: the user info ends at the last '@' before the query.
  const size_t at = before_query.rfind('@');
  if (at != std::string_view::npos) out.append(kHidden).append("@");
  out.append(before_query.substr(at == std::string_view::npos ? 0 : at + 1));
  if (query != std::string_view::npos) {
    out += '?';
    AppendRedactedQuery(out, rest.substr(query + 1, fragment == std::string_view::npos ? std::string_view::npos
                                                                                       : fragment - query - 1));
  }
  if (fragment != std::string_view::npos) out.append("#").append(kHidden);
  // An '@' in the query or fragment may be a malformed URL's user info (a password holding '?' or
  // '#' unescaped) or a query value (an endpoint URL with credentials, an e-mail address): hide all
  // but the scheme, which is more than needed rather than part of a password.
  if (rest.find('@', before_query.size()) != std::string_view::npos) {
    out.resize(authority);
    out.append(kHidden);
  }
  return out;
}

std::string RedactUrls(std::string_view text) {
  std::string out;
  size_t copied = 0;
  for (size_t marker = text.find("://"); marker != std::string_view::npos; marker = text.find("://", marker)) {
    size_t start = marker;
    while (start > copied && !IsTokenEnd(text[start - 1])) --start;
    size_t end = marker + 3;
    while (end < text.size() && !IsTokenEnd(text[end])) ++end;
    out.append(text.substr(copied, start - copied)).append(RedactUrl(text.substr(start, end - start)));
    copied = end;
    marker = end;
  }
  out.append(text.substr(copied));
  return out;
}

}  // namespace sqlite_cdc::sinks
