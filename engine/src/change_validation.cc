#include "change_validation.h"

#include "json_check.h"

namespace sqlite_cdc::internal {
namespace {

// What is wrong with one image column, or empty. `name` is the column's.
std::string ImageDamage(const char* name, const std::optional<std::string>& image, bool expected) {
  if (!expected) return image ? std::string(name) + " must be NULL for this operation" : "";
  if (!image) return std::string(name) + " is NULL";
  if (!IsJsonObjectText(*image)) return std::string(name) + " is not a JSON object";
  return "";
}

}  // namespace

std::optional<Operation> ParseOperation(std::string_view text) {
  if (text == "INSERT") return Operation::kInsert;
  if (text == "UPDATE") return Operation::kUpdate;
  if (text == "DELETE") return Operation::kDelete;
  return std::nullopt;
}

std::string ChangeDamage(Operation operation, const std::optional<std::string>& key,
                         const std::optional<std::string>& before, const std::optional<std::string>& after) {
  std::string damage = ImageDamage("key", key, true);
  if (damage.empty()) damage = ImageDamage("before", before, operation != Operation::kInsert);
  if (damage.empty()) damage = ImageDamage("after", after, operation != Operation::kDelete);
  return damage;
}

}  // namespace sqlite_cdc::internal
