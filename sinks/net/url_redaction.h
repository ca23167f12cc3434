#pragma once

#include <string>
#include <string_view>

namespace sqlite_cdc::sinks {

// An output or archive URL fit for a message, however malformed: the user info (everything from
// after "scheme://" to the last '@') becomes "***", each query value "***" (names are kept: they
// say which setting was meant), a fragment "***". Every message that shows a URL the user gave
// shows it through this: user info and query strings often hold credentials and tokens.
// Idempotent: redacting a redacted URL changes nothing.
std::string RedactUrl(std::string_view url);

// `text` with every URL in it (a token containing "://", up to whitespace or a quote) redacted by
// RedactUrl; the rest unchanged. For messages that may quote a URL the program did not parse
// itself (a command-line parser's error).
std::string RedactUrls(std::string_view text);

}  // namespace sqlite_cdc::sinks
