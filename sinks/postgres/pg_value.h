#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace sqlite_cdc::sinks {

// The PostgreSQL type of a replica column, chosen by the SQLite column's affinity.
enum class PgType { kBigint, kDouble, kText, kBytea, kJsonb };

// INTEGER affinity -> bigint, REAL -> double precision, TEXT -> text, a type containing BLOB ->
// bytea; NUMERIC affinity and untyped columns -> jsonb of the image's JSON value: these columns hold
// any SQLite type, and jsonb keeps both the kind (1 is not '1') and the exact digits.
PgType PgTypeOf(const std::string& declared_type);
// As written in DDL and casts: "bigint", "double precision", ...
const char* PgTypeName(PgType type);
// The type a `format_type()` of the replica's column reads as, for comparing with PgTypeName.
std::optional<PgType> PgTypeFromCatalog(const std::string& format_type);

// A value of a row image in PostgreSQL's text input form for `type`; nullopt for JSON null (SQL
// NULL). A value the type cannot hold (text in an INTEGER column, which SQLite allows; a fractional
// real in INTEGER; text in REAL; a NUL character, which PostgreSQL's text cannot hold; a BLOB
// column's value that is not the triggers' hex) throws ValueMismatch naming what it got.
std::optional<std::string> PgText(const nlohmann::json& value, PgType type);

class ValueMismatch : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// `text` in COPY's text format (backslash escapes); nullopt becomes \N.
void AppendCopyField(std::string& out, const std::optional<std::string>& text);

}  // namespace sqlite_cdc::sinks
