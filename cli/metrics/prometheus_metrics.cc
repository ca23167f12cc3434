#include "cli/metrics/prometheus_metrics.h"

#include <cstdio>

#include "sqlite_cdc/restore.h"

namespace sqlite_cdc::cli {
namespace {

std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", value);
  return text;
}

void Header(std::string& out, const char* name, const char* type, const char* help) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

}  // namespace

std::string EscapeLabelValue(const std::string& value) {
  std::string out;
  for (const char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

void PrometheusMetrics::OnBatchDelivered(const Changes& batch, std::chrono::nanoseconds handling) {
  const double seconds = std::chrono::duration<double>(handling).count();
  std::lock_guard lock(mutex_);
  for (const Change& change : batch) ++changes_[{change.table, std::string(OperationName(change.operation))}];
  ++batches_;
  if (!batch.empty() && batch.back().id > 0) last_delivered_id_ = batch.back().id;  // bootstrap rows have no id
  size_t bucket = 0;
  while (bucket < kBuckets.size() && seconds > kBuckets[bucket]) ++bucket;
  if (bucket < kBuckets.size()) ++bucket_counts_[bucket];
  ++handled_;
  handling_seconds_ += seconds;
  failing_ = false;
}

void PrometheusMetrics::OnHandlerFailure(bool will_retry) {
  std::lock_guard lock(mutex_);
  ++failures_;
  if (will_retry) ++retries_;
  failing_ = true;
}

void PrometheusMetrics::OnInFlight(size_t batches, size_t changes) {
  std::lock_guard lock(mutex_);
  batches_in_flight_ = batches;
  changes_in_flight_ = changes;
}

void PrometheusMetrics::OnDatabaseRetry() {
  std::lock_guard lock(mutex_);
  ++database_retries_;
  database_failing_ = true;
}

void PrometheusMetrics::OnDatabaseRecovered() {
  std::lock_guard lock(mutex_);
  database_failing_ = false;
}

bool PrometheusMetrics::failing() const {
  std::lock_guard lock(mutex_);
  return failing_ || database_failing_;
}

int64_t PrometheusMetrics::last_delivered_id() const {
  std::lock_guard lock(mutex_);
  return last_delivered_id_;
}

std::string PrometheusMetrics::Render(const LogBacklog& backlog, std::chrono::system_clock::time_point now) const {
  std::lock_guard lock(mutex_);
  std::string out;
  Header(out, "sqlite_cdc_changes_delivered_total", "counter", "Changes the output accepted, by table and operation.");
  for (const auto& [labels, count] : changes_) {
    out += "sqlite_cdc_changes_delivered_total{table=\"" + EscapeLabelValue(labels.first) + "\",operation=\"" +
           labels.second + "\"} " + std::to_string(count) + "\n";
  }
  Header(out, "sqlite_cdc_batches_delivered_total", "counter", "Batches the output accepted.");
  out += "sqlite_cdc_batches_delivered_total " + std::to_string(batches_) + "\n";
  Header(out, "sqlite_cdc_handler_failures_total", "counter", "Handler calls that failed or threw.");
  out += "sqlite_cdc_handler_failures_total " + std::to_string(failures_) + "\n";
  Header(out, "sqlite_cdc_handler_retries_total", "counter", "Failed handler calls that were retried.");
  out += "sqlite_cdc_handler_retries_total " + std::to_string(retries_) + "\n";
  Header(out, "sqlite_cdc_database_retries_total", "counter",
         "Reads of or removals from the log retried because the database was busy, locked or full.");
  out += "sqlite_cdc_database_retries_total " + std::to_string(database_retries_) + "\n";
  Header(out, "sqlite_cdc_log_backlog_rows", "gauge", "Changes in the log not yet accepted by the output.");
  out += "sqlite_cdc_log_backlog_rows " + std::to_string(backlog.rows) + "\n";
  double lag = 0;
  if (const auto oldest = ParseRfc3339Millis(backlog.oldest_timestamp)) {
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    lag = std::max<double>(0, static_cast<double>(now_ms - *oldest) / 1000);
  }
  Header(out, "sqlite_cdc_lag_seconds", "gauge", "Age of the oldest undelivered change; 0 when the log is empty.");
  out += "sqlite_cdc_lag_seconds " + Number(lag) + "\n";
  Header(out, "sqlite_cdc_last_delivered_id", "gauge", "Log id of the last change the output accepted.");
  out += "sqlite_cdc_last_delivered_id " + std::to_string(last_delivered_id_) + "\n";
  Header(out, "sqlite_cdc_batches_in_flight", "gauge", "Batches handed to the output and not yet confirmed.");
  out += "sqlite_cdc_batches_in_flight " + std::to_string(batches_in_flight_) + "\n";
  Header(out, "sqlite_cdc_changes_in_flight", "gauge", "Changes handed to the output and not yet confirmed.");
  out += "sqlite_cdc_changes_in_flight " + std::to_string(changes_in_flight_) + "\n";
  Header(out, "sqlite_cdc_batch_handling_seconds", "histogram",
         "Time from handing a batch to the output until the output confirmed it.");
  uint64_t cumulative = 0;
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    cumulative += bucket_counts_[i];
    out += "sqlite_cdc_batch_handling_seconds_bucket{le=\"" + Number(kBuckets[i]) + "\"} " +
           std::to_string(cumulative) + "\n";
  }
  out += "sqlite_cdc_batch_handling_seconds_bucket{le=\"+Inf\"} " + std::to_string(handled_) + "\n";
  out += "sqlite_cdc_batch_handling_seconds_sum " + Number(handling_seconds_) + "\n";
  out += "sqlite_cdc_batch_handling_seconds_count " + std::to_string(handled_) + "\n";
  Header(out, "sqlite_cdc_up", "gauge", "1 while the engine runs and its output accepts batches, 0 while failing.");
  out += std::string("sqlite_cdc_up ") + (failing_ || database_failing_ ? "0" : "1") + "\n";
  return out;
}

}  // namespace sqlite_cdc::cli
