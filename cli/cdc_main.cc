// sqlite-cdc: drains the change log into the chosen output.
#include <pthread.h>
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <iostream>
#include <optional>
#include <thread>

#include "capture_flags.h"
#include "cli/metrics/metrics_server.h"
#include "cli/metrics/prometheus_metrics.h"
#include "duration.h"
#include "output_flags.h"
#include "progress_printer.h"
#include "sinks/output_factory.h"
#include "sqlite_cdc/engine.h"
#include "status_command.h"

namespace {

using sqlite_cdc::Status;

// Turns SIGINT and SIGTERM into Engine::Stop() on a thread of its own, so the engine finishes or
// abandons the batch in flight cleanly instead of dying mid-write.
class StopOnSignals {
 public:
  explicit StopOnSignals(sqlite_cdc::Engine& engine) : thread_([this, &engine] { Run(engine); }) {}
  ~StopOnSignals() {
    done_ = true;
    thread_.join();
  }

  static void BlockInThisAndNewThreads() {
    sigset_t set = Signals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
  }

 private:
  static sigset_t Signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    return set;
  }

  void Run(sqlite_cdc::Engine& engine) {
    const sigset_t set = Signals();
    const timespec tick{0, 100'000'000};
    while (!done_) {
      const int signal = sigtimedwait(&set, nullptr, &tick);
      if (signal == SIGINT || signal == SIGTERM) {
        spdlog::info("received {}, stopping after the batch in flight", signal == SIGINT ? "SIGINT" : "SIGTERM");
        engine.Stop();
      }
    }
  }

  std::atomic<bool> done_{false};
  std::thread thread_;
};

struct Flags {
  sqlite_cdc::EngineOptions engine;
  bool bootstrap = false;
  bool cdc = false;
  bool drain = false;
  sqlite_cdc::sinks::OutputOptions output;
  std::string log_level = "info";
  std::string metrics_addr;
  std::string poll_interval = "1s";
  std::string retry_initial = "100ms";
  std::string retry_max = "30s";
  std::string ack_interval = "250ms";
};

// Durations are strings in flags; this turns them into options or names the bad one.
Status ApplyDurations(Flags& flags) {
  const std::pair<const std::string*, std::chrono::milliseconds*> fields[] = {
      {&flags.poll_interval, &flags.engine.poll_interval},
      {&flags.retry_initial, &flags.engine.retry.initial_backoff},
      {&flags.retry_max, &flags.engine.retry.max_backoff},
      {&flags.ack_interval, &flags.engine.ack_interval}};
  for (const auto& [text, target] : fields) {
    const auto parsed = sqlite_cdc::cli::ParseDuration(*text);
    if (!parsed) return Status::InvalidArgument("invalid duration '" + *text + "' (expected e.g. 250ms, 2s, 1m)");
    *target = *parsed;
  }
  return Status::Ok();
}

void ConfigureLogging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("sqlite-cdc");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  logger->set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(logger);
}

// `status` takes its flags after it; a streaming flag before it is refused rather than ignored.
int RunStatusCommand(const CLI::App& app, const sqlite_cdc::cli::StatusFlags& flags) {
  for (const CLI::Option* option : app.get_options()) {
    if (option->count() == 0) continue;
    return sqlite_cdc::cli::Report(
        app.get_name(),
        Status::InvalidArgument(option->get_name() + " before status: write sqlite-cdc status --db F ..."));
  }
  return sqlite_cdc::cli::RunStatus(app.get_name(), flags);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Stream the changes of an SQLite database to an output", "sqlite-cdc"};
  Flags flags;
  CLI::Option* db = sqlite_cdc::cli::AddCaptureFlags(app, flags.engine.capture);
  app.add_flag("--bootstrap", flags.bootstrap, "deliver every existing row first");
  auto* cdc = app.add_flag("--cdc", flags.cdc, "stream changes until stopped (the default without --bootstrap)");
  app.add_flag("--drain", flags.drain, "deliver what the log holds now, then exit")->excludes(cdc);
  sqlite_cdc::cli::AddOutputFlags(app, flags.output);
  app.add_option("--batch-size", flags.engine.batch_size, "changes per batch")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  app.add_option("--poll-interval", flags.poll_interval, "poll timer, e.g. 250ms, 2s")->capture_default_str();
  app.add_flag_callback(
      "--poll-only", [&] { flags.engine.use_inotify = false; }, "do not use inotify");
  app.add_flag("--resync", flags.engine.resync, "re-install triggers that no longer match their table");
  app.add_option("--dead-letter", flags.engine.dead_letter_path,
                 "append damaged log rows to this file (one JSON line each) and go on, instead of stopping");
  app.add_option("--retry-attempts", flags.engine.retry.max_attempts, "handler attempts per batch before giving up")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  app.add_option("--retry-initial-backoff", flags.retry_initial, "first retry delay")->capture_default_str();
  app.add_option("--retry-max-backoff", flags.retry_max, "longest retry delay")->capture_default_str();
  app.add_option("--ack-interval", flags.ack_interval,
                 "how often delivered changes are removed from the log (each removal briefly takes the write lock)")
      ->capture_default_str();
  app.add_option("--metrics-addr", flags.metrics_addr, "serve /metrics and /healthz at HOST:PORT (port 0: any)");
  app.add_option("--log-level", flags.log_level, "trace, debug, info, warn, error, off")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));

  sqlite_cdc::cli::StatusFlags status_flags;
  CLI::App* status_command = sqlite_cdc::cli::AddStatusCommand(app, status_flags);
  db->required(false);  // streaming needs it (checked below); `status` takes its own

  if (int code = sqlite_cdc::cli::ParseOrExitCode(app, argc, argv); code >= 0) return code;
  const std::string program = app.get_name();
  if (status_command->parsed()) return RunStatusCommand(app, status_flags);
  if (db->count() == 0)
    return sqlite_cdc::cli::Report(program, Status::InvalidArgument("--db is required (see --help)"));
  if (Status status = ApplyDurations(flags); !status.ok()) return sqlite_cdc::cli::Report(program, status);
  ConfigureLogging(flags.log_level);
  flags.output.source_db = flags.engine.capture.db_path;

  std::unique_ptr<sqlite_cdc::ChangesHandler> handler;
  if (Status status = sqlite_cdc::sinks::MakeHandler(flags.output, &handler); !status.ok()) {
    return sqlite_cdc::cli::Report(program, status);
  }
  // Progress is for a person watching the bootstrap; logs and pipes get none.
  std::optional<sqlite_cdc::cli::ProgressPrinter> progress;
  if (flags.bootstrap && isatty(STDERR_FILENO)) {
    progress.emplace(stderr);
    flags.engine.bootstrap_progress = [&progress](const sqlite_cdc::BootstrapProgress& at) { progress->Report(at); };
  }
  StopOnSignals::BlockInThisAndNewThreads();
  sqlite_cdc::cli::PrometheusMetrics metrics;
  if (!flags.metrics_addr.empty()) flags.engine.observer = &metrics;
  std::unique_ptr<sqlite_cdc::Engine> engine;
  if (Status status = sqlite_cdc::Engine::Open(flags.engine, &engine); !status.ok()) {
    return sqlite_cdc::cli::Report(program, status);
  }
  std::unique_ptr<sqlite_cdc::cli::MetricsServer> metrics_server;
  if (!flags.metrics_addr.empty()) {
    const sqlite_cdc::CaptureOptions capture = flags.engine.capture;
    Status status = sqlite_cdc::cli::MetricsServer::Start(
        flags.metrics_addr,
        [&metrics, capture] {
          sqlite_cdc::LogBacklog backlog;
          // A failed read shows as an empty backlog; the engine's own errors are what stop it.
          if (!sqlite_cdc::ReadLogBacklog(capture, &backlog, metrics.last_delivered_id()).ok()) backlog = {};
          return metrics.Render(backlog, std::chrono::system_clock::now());
        },
        [&metrics] { return !metrics.failing(); }, &metrics_server);
    if (!status.ok()) return sqlite_cdc::cli::Report(program, status);
    spdlog::info("serving metrics at {}/metrics and health at {}/healthz", metrics_server->url(),
                 metrics_server->url());
  }
  StopOnSignals stop(*engine);
  Status status;
  if (flags.bootstrap && flags.cdc) {
    status = engine->BootstrapThenCdc(*handler);
  } else if (flags.bootstrap && flags.drain) {
    status = engine->BootstrapThenDrain(*handler);
  } else if (flags.bootstrap) {
    status = engine->Bootstrap(*handler);
  } else if (flags.drain) {
    status = engine->DrainOnce(*handler);
  } else {
    status = engine->RunCdc(*handler);
  }
  return sqlite_cdc::cli::Report(program, status);
}
