#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sqlite_cdc::sinks {

// gzip (RFC 1952) with zlib: what `gunzip`, browsers and every S3 tool read.
std::string Gzip(std::string_view data);
// nullopt when `data` is not a complete gzip stream.
std::optional<std::string> Gunzip(std::string_view data);

}  // namespace sqlite_cdc::sinks
