#include "sinks/http/webhook_signature.h"

#include "sinks/net/crypto.h"

namespace sqlite_cdc::sinks {

std::string WebhookId(std::string_view body) { return "msg_" + LowerHex(Sha256(body)).substr(0, 32); }

std::optional<std::string> WebhookSigningKey(const std::string& secret) {
  constexpr std::string_view kPrefix = "whsec_";
  if (secret.rfind(kPrefix, 0) != 0) return secret;
  return Base64Decode(std::string_view(secret).substr(kPrefix.size()));
}

std::string WebhookSignature(std::string_view key, std::string_view id, std::string_view timestamp,
                             std::string_view body) {
  std::string content;
  content.reserve(id.size() + timestamp.size() + body.size() + 2);
  content.append(id).append(".").append(timestamp).append(".").append(body);
  return "v1," + Base64Encode(HmacSha256(key, content));
}

}  // namespace sqlite_cdc::sinks
