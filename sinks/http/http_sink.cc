#include "sinks/http/http_sink.h"

#include <algorithm>

#include "sinks/http/retry_after.h"
#include "sinks/http/webhook_signature.h"

namespace sqlite_cdc::sinks {
namespace {

constexpr size_t kBodyExcerpt = 200;

// The start of a response body on one line, for an error message.
std::string Excerpt(const std::string& body) {
  std::string text = body.substr(0, kBodyExcerpt);
  std::replace_if(
      text.begin(), text.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; }, ' ');
  if (body.size() > kBodyExcerpt) text += "...";
  return text;
}

void SetHeader(HttpHeaders& headers, const char* name, std::string value) {
  for (auto& [key, existing] : headers) {
    if (key == name) {
      existing = std::move(value);
      return;
    }
  }
  headers.emplace_back(name, std::move(value));
}

}  // namespace

HandlerResult ClassifyResponse(const HttpResponse& response, const std::string& where,
                               std::chrono::system_clock::time_point now) {
  const int status = response.status;
  if (status >= 200 && status < 300) return HandlerResult::Success();
  std::string message = "HTTP " + std::to_string(status) + " from " + where;
  if (!response.body.empty()) message += ": " + Excerpt(response.body);
  if (status == 408 || status == 429 || status >= 500) {
    const auto after = ParseRetryAfter(response.Header("Retry-After"), now);
    return after ? HandlerResult::RetryAfter(std::move(message), *after) : HandlerResult::Retry(std::move(message));
  }
  if (status >= 300 && status < 400) message += " (redirects are not followed: give the final URL)";
  return HandlerResult::Fatal(std::move(message));
}

HttpSink::HttpSink(HttpSinkConfig config, Clock now)
    : config_(std::move(config)), now_(std::move(now)), client_(config_.url.endpoint, config_.timeout, config_.tls) {
  request_.method = "POST";
  request_.target = config_.url.target;
  request_.headers = config_.headers;
  request_.headers.emplace_back("Content-Type", "application/json");
  request_.max_response_body = 64 * 1024;
}

HandlerResult HttpSink::Handle(const Changes& batch) {
  std::string& body = request_.body;
  body.assign("{\"changes\":[");
  for (size_t i = 0; i < batch.size(); ++i) {
    if (i > 0) body += ',';
    AppendEventJson(body, batch[i]);
  }
  body += "]}";

  // Retries of a batch carry the same id; the timestamp (and so the signature) is the attempt's,
  // as receivers reject stale timestamps.
  const std::string id = WebhookId(body);
  const auto now = now_();
  const std::string timestamp =
      std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
  SetHeader(request_.headers, "webhook-id", id);
  SetHeader(request_.headers, "webhook-timestamp", timestamp);
  if (config_.signing_key) {
    SetHeader(request_.headers, "webhook-signature", WebhookSignature(*config_.signing_key, id, timestamp, body));
  }

  // The query may carry a token: messages show the path only.
  const std::string& target = config_.url.target;
  const std::string where = "POST " + config_.url.endpoint.Origin() + target.substr(0, target.find('?'));
  HttpResult result = client_.Send(request_);
  if (const auto* error = std::get_if<HttpError>(&result)) {
    if (error->kind == HttpError::Kind::kCertificate) return HandlerResult::Fatal(error->message);
    return HandlerResult::Retry(error->message);
  }
  return ClassifyResponse(std::get<HttpResponse>(result), where, now);
}

}  // namespace sqlite_cdc::sinks
