// sqlite-cdc --metrics-addr as an operator scrapes it: the real binary, a real writer, and
// Prometheus text read over HTTP while changes flow and while the output fails.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <optional>
#include <sstream>
#include <variant>

#include "sinks/net/http_client.h"
#include "support/app_db.h"
#include "support/captured_db.h"
#include "support/http_test_server.h"
#include "support/process.h"

namespace sqlite_cdc {
namespace {

using testing::BackgroundProcess;
using testing::ReadFile;
using testing::WaitUntil;
using testing::WriterPath;

// One sample of a scrape, by its full name with labels; nullopt when absent.
std::optional<double> Sample(const std::string& text, const std::string& series) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return std::nullopt;
}

class MetricsTest : public testing::CapturedDbTest {
 protected:
  MetricsTest() { SetUpCapture(); }

  std::unique_ptr<BackgroundProcess> StartCdc(const std::string& output, const std::vector<std::string>& extra = {}) {
    auto cdc =
        StartCdcProcess({"--output", output, "--metrics-addr", "127.0.0.1:0", "--poll-interval", "100ms",
                         "--retry-attempts", "1000", "--retry-initial-backoff", "20ms", "--retry-max-backoff", "100ms"},
                        extra);
    const std::string marker = "serving metrics at http://127.0.0.1:";
    EXPECT_TRUE(WaitUntil([&] { return ReadFile(err_).find(marker) != std::string::npos; })) << ReadFile(err_);
    const std::string log = ReadFile(err_);
    port_ = std::stoi(log.substr(log.find(marker) + marker.size()));
    return cdc;
  }

  // GET path on the metrics port: (status, body).
  std::pair<int, std::string> Get(const std::string& path) {
    sinks::HttpClient client(sinks::HttpEndpoint{false, "127.0.0.1", std::to_string(port_)}, std::chrono::seconds(5),
                             sinks::TlsOptions{});
    sinks::HttpRequest request;
    request.method = "GET";
    request.target = path;
    const auto result = client.Send(request);
    if (!std::holds_alternative<sinks::HttpResponse>(result)) return {0, ""};
    const auto& response = std::get<sinks::HttpResponse>(result);
    return {response.status, response.body};
  }
  double Metric(const std::string& series) { return Sample(Get("/metrics").second, series).value_or(-1); }

  int port_ = 0;
};

TEST_F(MetricsTest, CountsWhatWasDeliveredByTableAndOperation) {
  auto cdc = StartCdc("json");
  // The writer's pattern: 200 inserts, 300 updates and 100 deletes, log ids 1..600.
  const auto writer = testing::RunProcess(WriterPath(), {path_, "600", "0"});
  ASSERT_EQ(writer.exit_code, 0) << writer.err;
  ASSERT_TRUE(WaitUntil([&] { return Metric("sqlite_cdc_last_delivered_id") == 600; })) << Get("/metrics").second;

  const std::string text = Get("/metrics").second;
  EXPECT_EQ(Sample(text, "sqlite_cdc_changes_delivered_total{table=\"items\",operation=\"INSERT\"}"), 200);
  EXPECT_EQ(Sample(text, "sqlite_cdc_changes_delivered_total{table=\"items\",operation=\"UPDATE\"}"), 300);
  EXPECT_EQ(Sample(text, "sqlite_cdc_changes_delivered_total{table=\"items\",operation=\"DELETE\"}"), 100);
  EXPECT_EQ(Sample(text, "sqlite_cdc_log_backlog_rows"), 0);
  EXPECT_EQ(Sample(text, "sqlite_cdc_lag_seconds"), 0);
  EXPECT_EQ(Sample(text, "sqlite_cdc_handler_failures_total"), 0);
  EXPECT_EQ(Sample(text, "sqlite_cdc_batches_in_flight"), 0) << "everything delivered was confirmed";
  EXPECT_EQ(Sample(text, "sqlite_cdc_changes_in_flight"), 0);
  const auto batches = Sample(text, "sqlite_cdc_batches_delivered_total");
  ASSERT_TRUE(batches && *batches >= 3) << "600 changes take at least 3 batches of 256";
  EXPECT_EQ(Sample(text, "sqlite_cdc_batch_handling_seconds_count"), batches);
  EXPECT_EQ(Sample(text, "sqlite_cdc_batch_handling_seconds_bucket{le=\"+Inf\"}"), batches);
  EXPECT_NE(text.find("# TYPE sqlite_cdc_batch_handling_seconds histogram"), std::string::npos);
  EXPECT_EQ(Get("/healthz").first, 200);
  EXPECT_EQ(Get("/nothing").first, 404);

  cdc->Signal(SIGTERM);
  EXPECT_EQ(cdc->Wait(), 0) << ReadFile(err_);
}

TEST_F(MetricsTest, AFailingOutputShowsInHealthFailuresBacklogAndLag) {
  std::atomic<bool> accept{false};
  testing::HttpTestServer receiver(
      [&](const testing::ReceivedRequest&, size_t) { return testing::Reply::Status(accept ? 200 : 503); });
  auto cdc = StartCdc(receiver.Url("/hook"));
  EXPECT_EQ(Get("/healthz").first, 200) << "healthy before anything failed";
  const auto writer = testing::RunProcess(WriterPath(), {path_, "30", "0"});
  ASSERT_EQ(writer.exit_code, 0) << writer.err;

  ASSERT_TRUE(WaitUntil([&] { return Get("/healthz").first == 503; })) << ReadFile(err_);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  const std::string failing = Get("/metrics").second;
  EXPECT_GT(Sample(failing, "sqlite_cdc_handler_failures_total").value_or(0), 1);
  EXPECT_GT(Sample(failing, "sqlite_cdc_handler_retries_total").value_or(0), 1);
  EXPECT_EQ(Sample(failing, "sqlite_cdc_log_backlog_rows"), 30) << "nothing left the log";
  EXPECT_GE(Sample(failing, "sqlite_cdc_lag_seconds").value_or(0), 1.0) << "the oldest change waits a second now";
  EXPECT_EQ(Sample(failing, "sqlite_cdc_up"), 0);

  accept = true;
  ASSERT_TRUE(WaitUntil([&] { return Metric("sqlite_cdc_log_backlog_rows") == 0; })) << ReadFile(err_);
  EXPECT_EQ(Get("/healthz").first, 200) << "healthy again once a batch went through";
  EXPECT_EQ(Metric("sqlite_cdc_lag_seconds"), 0);
  EXPECT_EQ(Metric("sqlite_cdc_last_delivered_id"), 30);
  cdc->Signal(SIGTERM);
  EXPECT_EQ(cdc->Wait(), 0) << ReadFile(err_);
}

TEST_F(MetricsTest, ABusyDatabaseShowsInHealthAndIsCounted) {
  auto cdc = StartCdc("json", {"--db-params", "_pragma=busy_timeout(50)", "--ack-interval", "20ms"});
  testing::AppDb app(path_);
  // Three changes, then the write lock held, so that the engine cannot delete what it delivered.
  app.Exec("INSERT INTO items (n) VALUES (1), (2), (3); BEGIN IMMEDIATE; INSERT INTO items (n) VALUES (4)");
  ASSERT_TRUE(WaitUntil([&] { return Get("/healthz").first == 503; })) << ReadFile(err_);
  EXPECT_GE(Metric("sqlite_cdc_database_retries_total"), 1);
  EXPECT_EQ(Metric("sqlite_cdc_log_backlog_rows"), 0) << "delivered, though not yet removed";
  app.Exec("COMMIT");
  ASSERT_TRUE(WaitUntil([&] { return Get("/healthz").first == 200; })) << ReadFile(err_);
  EXPECT_TRUE(WaitUntil([&] { return Metric("sqlite_cdc_last_delivered_id") == 4; }));
  cdc->Signal(SIGTERM);
  EXPECT_EQ(cdc->Wait(), 0) << ReadFile(err_);
}

TEST_F(MetricsTest, ABadAddressIsExit2WithOneLine) {
  for (const std::string address : {"nonsense", "127.0.0.1:99999", "256.1.1.1:80"}) {
    const auto result =
        testing::RunProcess(testing::BinaryPath("sqlite-cdc"), {"--db", path_, "--metrics-addr", address, "--drain"});
    EXPECT_EQ(result.exit_code, 2) << address << ": " << result.err;
    EXPECT_NE(result.err.find("--metrics-addr"), std::string::npos) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  }
}

}  // namespace
}  // namespace sqlite_cdc
