#pragma once

#include <functional>
#include <memory>
#include <string>

#include "sqlite_cdc/status.h"

namespace sqlite_cdc::cli {

// Serves GET /metrics (Prometheus text) and GET /healthz (200 healthy, 503 failing) over HTTP/1.1
// on a thread of its own; the only Beast code of the CLI.
class MetricsServer {
 public:
  using Scrape = std::function<std::string()>;  // the body of /metrics, made at each request
  using Healthy = std::function<bool()>;

  // Binds `address` ("HOST:PORT", "[IPv6]:PORT"; port 0 picks one) before returning, so a bad or
  // busy address is a startup error, not a log line later.
  static Status Start(const std::string& address, Scrape scrape, Healthy healthy,
                      std::unique_ptr<MetricsServer>* server);
  ~MetricsServer();  // stops serving and joins its thread

  // "http://HOST:PORT" as bound, for the log.
  std::string url() const;

 private:
  class Impl;
  explicit MetricsServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sqlite_cdc::cli
