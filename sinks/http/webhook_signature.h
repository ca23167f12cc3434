#pragma once

#include <optional>
#include <string>
#include <string_view>

// The Standard Webhooks headers (https://www.standardwebhooks.com): what a receiver checks.
namespace sqlite_cdc::sinks {

// "msg_" and 32 hex digits of the body's SHA-256: the same batch gets the same id on every retry
// and after a restart, so a receiver can drop what it already has.
std::string WebhookId(std::string_view body);

// The HMAC key a secret stands for: a "whsec_" secret is base64 after the prefix (as Standard
// Webhooks libraries expect); any other secret is used as its bytes. nullopt for bad base64.
std::optional<std::string> WebhookSigningKey(const std::string& secret);

// "v1," + base64(HMAC-SHA256(key, id + "." + timestamp + "." + body)).
std::string WebhookSignature(std::string_view key, std::string_view id, std::string_view timestamp,
                             std::string_view body);

}  // namespace sqlite_cdc::sinks
