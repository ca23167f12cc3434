#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "sinks/http/http_sink_config.h"
#include "sinks/net/http_client.h"
#include "sqlite_cdc/changes_handler.h"

namespace sqlite_cdc::sinks {

// What an HTTP status means for a batch: 2xx accepted; 408, 429 and 5xx worth a retry (after
// Retry-After when given); anything else refused for good, with the status and the start of the
// body in the message. `where` names the endpoint for messages.
HandlerResult ClassifyResponse(const HttpResponse& response, const std::string& where,
                               std::chrono::system_clock::time_point now);

// `--output http://...` and `https://...`: one POST of {"changes":[...]} per batch on a kept-alive
// connection, with Standard Webhooks headers; the same webhook-id on every retry of a batch.
class HttpSink : public ChangesHandler {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  explicit HttpSink(HttpSinkConfig config, Clock now = std::chrono::system_clock::now);
  HandlerResult Handle(const Changes& batch) override;

 private:
  HttpSinkConfig config_;
  Clock now_;
  HttpClient client_;
  HttpRequest request_;  // reused across batches: the body buffer keeps its capacity
};

}  // namespace sqlite_cdc::sinks
