#include "sinks/postgres/pg_value.h"

#include <charconv>
#include <cmath>
#include <stdexcept>

#include "schema/table_schema.h"

namespace sqlite_cdc::sinks {
namespace {

const char* KindOf(const nlohmann::json& value) {
  if (value.is_string()) return "a text value";
  if (value.is_number_float()) return "a real value";
  if (value.is_number()) return "an integer value";
  return "a non-scalar JSON value";
}

bool IsUpperHex(const std::string& text) {
  if (text.size() % 2 != 0) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) return false;
  }
  return true;
}

// The shortest decimal that reads back as the same double: PostgreSQL's float8in parses it to
// exactly this double (correctly rounded), and prints it the same way (extra_float_digits 1).
std::string ExactDouble(double value) {
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  char buffer[64];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, end);
}

}  // namespace

PgType PgTypeOf(const std::string& declared_type) {
  if (declared_type.empty()) return PgType::kJsonb;
  switch (schema::AffinityOf(declared_type)) {
    case schema::Affinity::kInteger:
      return PgType::kBigint;
    case schema::Affinity::kReal:
      return PgType::kDouble;
    case schema::Affinity::kText:
      return PgType::kText;
    case schema::Affinity::kBlob:
      return PgType::kBytea;
    case schema::Affinity::kNumeric:
      break;
  }
  return PgType::kJsonb;
}

const char* PgTypeName(PgType type) {
  switch (type) {
    case PgType::kBigint:
      return "bigint";
    case PgType::kDouble:
      return "double precision";
    case PgType::kText:
      return "text";
    case PgType::kBytea:
      return "bytea";
    case PgType::kJsonb:
      break;
  }
  return "jsonb";
}

std::optional<PgType> PgTypeFromCatalog(const std::string& format_type) {
  for (PgType type : {PgType::kBigint, PgType::kDouble, PgType::kText, PgType::kBytea, PgType::kJsonb}) {
    if (format_type == PgTypeName(type)) return type;
  }
  return std::nullopt;
}

std::optional<std::string> PgText(const nlohmann::json& value, PgType type) {
  if (value.is_null()) return std::nullopt;
  switch (type) {
    case PgType::kBigint:
      if (value.is_number_integer()) return value.dump();
      break;
    case PgType::kDouble:
      if (value.is_number_float()) return ExactDouble(value.get<double>());
      if (value.is_number_integer()) return value.dump();
      // The triggers write +/-Infinity reals as these strings (JSON has no infinity).
      if (value.is_string() && (value == "Infinity" || value == "-Infinity")) return value.get<std::string>();
      break;
    case PgType::kText:
      if (value.is_string()) {
        const std::string& text = value.get_ref<const std::string&>();
        if (text.find('\0') != std::string::npos) throw ValueMismatch("a text value holding a NUL character");
        return text;
      }
      // SQLite stores numbers in TEXT columns as text; a number here is its text.
      if (value.is_number_float()) return ExactDouble(value.get<double>());
      if (value.is_number()) return value.dump();
      break;
    case PgType::kBytea:
      if (value.is_string() && IsUpperHex(value.get_ref<const std::string&>())) {
        return "\\x" + value.get<std::string>();
      }
      break;
    case PgType::kJsonb:
      if (value.is_string() && value.get_ref<const std::string&>().find('\0') != std::string::npos) {
        throw ValueMismatch("a text value holding a NUL character");
      }
      return value.dump();
  }
  throw ValueMismatch(std::string(KindOf(value)));
}

void AppendCopyField(std::string& out, const std::optional<std::string>& text) {
  if (!text) {
    out += "\\N";
    return;
  }
  for (char c : *text) {
    switch (c) {
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
        out += c;
    }
  }
}

}  // namespace sqlite_cdc::sinks
