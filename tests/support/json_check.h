#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace sqlite_cdc::testing {

// Parses with nlohmann's strict parser (RFC 8259, UTF-8 validated), keeping member order.
inline nlohmann::ordered_json StrictJson(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  return nlohmann::ordered_json::parse(*text);
}

}  // namespace sqlite_cdc::testing
