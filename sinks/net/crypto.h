#pragma once

#include <optional>
#include <string>
#include <string_view>

// Hashes and encodings the sinks sign requests with, on OpenSSL. Byte strings are std::string.
namespace sqlite_cdc::sinks {

std::string Sha256(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);
std::string LowerHex(std::string_view bytes);
std::string Base64Encode(std::string_view bytes);
// Standard base64 with padding; nullopt for anything else.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace sqlite_cdc::sinks
