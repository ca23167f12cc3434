#pragma once

#include <string>
#include <string_view>

namespace sqlite_cdc::schema {

// "name" with embedded double quotes doubled: safe for any identifier SQLite accepts, including
// spaces, keywords, quotes and any Unicode.
std::string QuoteIdentifier(std::string_view name);

// 'text' with embedded single quotes doubled. REQUIRES: text holds no NUL byte (identifiers never do).
std::string QuoteLiteral(std::string_view text);

// Whether SQLite refuses to create an object of this name: it reserves names that begin with
// "sqlite_" in any case.
bool IsReservedName(std::string_view name);

}  // namespace sqlite_cdc::schema
