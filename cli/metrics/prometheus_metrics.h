#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "sqlite_cdc/engine_observer.h"
#include "sqlite_cdc/log_backlog.h"

namespace sqlite_cdc::cli {

// The engine's counters as Prometheus exposes them: fed by the engine's thread, read by the
// metrics server's. Health: failing from a failed handler call until the next accepted batch, and
// while the database is busy, locked or full (until what failed succeeds).
class PrometheusMetrics : public EngineObserver {
 public:
  void OnBatchDelivered(const Changes& batch, std::chrono::nanoseconds handling) override;
  void OnHandlerFailure(bool will_retry) override;
  void OnInFlight(size_t batches, size_t changes) override;

  void OnDatabaseRetry() override;
  void OnDatabaseRecovered() override;

  bool failing() const;
  int64_t last_delivered_id() const;
  // The text exposition format (version 0.0.4), with the backlog read at scrape time.
  std::string Render(const LogBacklog& backlog, std::chrono::system_clock::time_point now) const;

  // Upper bounds of the batch-handling histogram, in seconds.
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1,    2.5};

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, uint64_t> changes_;  // (table, operation) -> count
  uint64_t batches_ = 0;
  uint64_t failures_ = 0;
  uint64_t retries_ = 0;
  uint64_t database_retries_ = 0;
  int64_t last_delivered_id_ = 0;
  std::array<uint64_t, kBuckets.size()> bucket_counts_{};  // not cumulative; summed when rendered
  size_t batches_in_flight_ = 0;
  size_t changes_in_flight_ = 0;
  uint64_t handled_ = 0;
  double handling_seconds_ = 0;
  bool failing_ = false;
  bool database_failing_ = false;
};

// Prometheus label values escape backslash, double quote and newline.
std::string EscapeLabelValue(const std::string& value);

}  // namespace sqlite_cdc::cli
