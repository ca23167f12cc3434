#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sqlite_cdc/change.h"

namespace sqlite_cdc::internal {

// "INSERT", "UPDATE" or "DELETE" as an Operation; nullopt for anything else.
std::optional<Operation> ParseOperation(std::string_view text);

// Why a log row cannot leave the engine as a change event, or empty when it can: `key` must be a
// JSON object, and `before`/`after` must fit the operation (INSERT: before NULL, after an object;
// UPDATE: both objects; DELETE: before an object, after NULL). The texts are the ones the event would
// carry (after the UTF-8 repair), so a sound row gives valid JSON whatever consumes it.
std::string ChangeDamage(Operation operation, const std::optional<std::string>& key,
                         const std::optional<std::string>& before, const std::optional<std::string>& after);

}  // namespace sqlite_cdc::internal
