#include "stream_command.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <iostream>
#include <optional>

#include "capture_flags.h"
#include "cli/metrics/metrics_server.h"
#include "cli/metrics/prometheus_metrics.h"
#include "delivery_tally.h"
#include "duration.h"
#include "logging.h"
#include "output_flags.h"
#include "progress_printer.h"
#include "sinks/output_factory.h"
#include "sqlite_cdc/engine.h"
#include "stop_on_signals.h"

namespace sqlite_cdc::cli {
namespace {

// Durations are strings in flags; this turns them into options or names the bad one.
Status ApplyDurations(StreamFlags& flags) {
  const std::pair<const std::string*, std::chrono::milliseconds*> fields[] = {
      {&flags.poll_interval, &flags.engine.poll_interval},
      {&flags.retry_initial, &flags.engine.retry.initial_backoff},
      {&flags.retry_max, &flags.engine.retry.max_backoff},
      {&flags.ack_interval, &flags.engine.ack_interval},
      {&flags.stop_grace, &flags.engine.pipeline.stop_grace}};
  for (const auto& [text, target] : fields) {
    const auto parsed = ParseDuration(*text);
    if (!parsed) return Status::InvalidArgument("invalid duration '" + *text + "' (expected e.g. 250ms, 2s, 1m)");
    *target = *parsed;
  }
  return Status::Ok();
}

Status StartMetricsServer(const StreamFlags& flags, PrometheusMetrics& metrics,
                          std::unique_ptr<MetricsServer>* server) {
  const CaptureOptions capture = flags.engine.capture;
  Status status = MetricsServer::Start(
      flags.metrics_addr,
      [&metrics, capture] {
        LogBacklog backlog;
        // A failed read shows as an empty backlog; the engine's own errors are what stop it.
        if (!ReadLogBacklog(capture, &backlog, metrics.last_delivered_id()).ok()) backlog = {};
        return metrics.Render(backlog, std::chrono::system_clock::now());
      },
      [&metrics] { return !metrics.failing(); }, server);
  if (status.ok()) {
    spdlog::info("serving metrics at {}/metrics and health at {}/healthz", (*server)->url(), (*server)->url());
  }
  return status;
}

Status Run(Engine& engine, const StreamFlags& flags, ChangesHandler& handler) {
  if (flags.bootstrap && flags.cdc) return engine.BootstrapThenCdc(handler);
  if (flags.bootstrap && flags.drain) return engine.BootstrapThenDrain(handler);
  if (flags.bootstrap) return engine.Bootstrap(handler);
  if (flags.drain) return engine.DrainOnce(handler);
  return engine.RunCdc(handler);
}

}  // namespace

CLI::Option* AddStreamFlags(CLI::App& app, StreamFlags& flags) {
  CLI::Option* db = AddCaptureFlags(app, flags.engine.capture);
  db->required(false);
  auto* bootstrap = app.add_flag("--bootstrap", flags.bootstrap, "deliver every existing row first");
  app.add_flag("--force-bootstrap", flags.engine.force_bootstrap,
               "with --bootstrap: take a new snapshot also into an output that already holds one "
               "(an exactly-once output otherwise resumes from its position)")
      ->needs(bootstrap);
  auto* cdc = app.add_flag("--cdc", flags.cdc, "stream changes until stopped (the default without --bootstrap)");
  app.add_flag("--drain", flags.drain, "deliver what the log holds now, then exit")->excludes(cdc);
  AddOutputFlags(app, flags.output);
  app.add_option("--batch-size", flags.engine.batch_size, "changes per batch, 1 to 1000000")
      ->capture_default_str()
      ->type_name("N")
      ->check(CLI::Range(1, 1000000));
  app.add_option("--poll-interval", flags.poll_interval, "poll timer, e.g. 250ms, 2s")
      ->capture_default_str()
      ->type_name("DURATION");
  app.add_flag_callback(
      "--poll-only", [&flags] { flags.engine.use_inotify = false; }, "do not use inotify");
  app.add_flag("--resync", flags.engine.resync, "re-install triggers that no longer match their table");
  app.add_option("--dead-letter", flags.engine.dead_letter_path,
                 "append damaged log rows to this file (one JSON line each) and go on, instead of stopping")
      ->type_name("FILE");
  app.add_option("--retry-attempts", flags.engine.retry.max_attempts,
                 "handler attempts per batch before giving up, 1 to 1000000")
      ->capture_default_str()
      ->type_name("N")
      ->check(CLI::Range(1, 1000000));
  app.add_option("--retry-initial-backoff", flags.retry_initial, "first retry delay")
      ->capture_default_str()
      ->type_name("DURATION");
  app.add_option("--retry-max-backoff", flags.retry_max, "longest retry delay")
      ->capture_default_str()
      ->type_name("DURATION");
  app.add_option("--ack-interval", flags.ack_interval,
                 "how often delivered changes are removed from the log (each removal briefly takes the write lock)")
      ->capture_default_str()
      ->type_name("DURATION");
  app.add_option("--max-in-flight", flags.engine.pipeline.max_changes,
                 "changes handed to a pipelined output (kafka, s3) and not yet confirmed, at most")
      ->capture_default_str()
      ->type_name("N")
      ->check(CLI::Range(size_t{1}, size_t{100000000}));
  app.add_option("--max-in-flight-bytes", flags.engine.pipeline.max_bytes,
                 "bytes of those changes' keys and images, at most")
      ->capture_default_str()
      ->type_name("N")
      ->check(CLI::Range(size_t{1}, size_t{1} << 40));
  app.add_option("--stop-grace", flags.stop_grace,
                 "after SIGINT/SIGTERM, how long to wait for the output to confirm what is in flight")
      ->capture_default_str()
      ->type_name("DURATION");
  app.add_option("--metrics-addr", flags.metrics_addr, "serve /metrics and /healthz at HOST:PORT (port 0: any)")
      ->type_name("ADDRESS");
  app.add_option("--log-level", flags.log_level, "trace, debug, info, warn, error, off")
      ->capture_default_str()
      ->type_name("LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  return db;
}

int RunStream(const std::string& program, StreamFlags& flags) {
  if (flags.engine.capture.db_path.empty())
    return Report(program, Status::InvalidArgument("--db is required (see --help)"));
  if (Status status = ApplyDurations(flags); !status.ok()) return Report(program, status);
  ConfigureLogging(program, flags.log_level);
  flags.output.source_db = flags.engine.capture.db_path;
  flags.output.log_table = flags.engine.capture.log_table;

  std::unique_ptr<ChangesHandler> output;
  if (Status status = sinks::MakeHandler(flags.output, &output); !status.ok()) return Report(program, status);
  // Progress is for a person watching the bootstrap; logs and pipes get none.
  std::optional<ProgressPrinter> progress;
  if (flags.bootstrap && isatty(STDERR_FILENO)) {
    progress.emplace(stderr);
    flags.engine.bootstrap_progress = [&progress](const BootstrapProgress& at) { progress->Report(at); };
  }
  StopOnSignals::BlockInThisAndNewThreads();
  PrometheusMetrics metrics;
  DeliveryTally tally(flags.metrics_addr.empty() ? nullptr : &metrics);
  flags.engine.observer = &tally;
  std::unique_ptr<Engine> engine;
  if (Status status = Engine::Open(flags.engine, &engine); !status.ok()) return Report(program, status);
  std::unique_ptr<MetricsServer> metrics_server;
  if (!flags.metrics_addr.empty()) {
    if (Status status = StartMetricsServer(flags, metrics, &metrics_server); !status.ok()) {
      return Report(program, status);
    }
  }
  StopOnSignals stop(*engine);
  const Status status = Run(*engine, flags, *output);
  // A bootstrap ends Cancelled when the stop came before its snapshot was complete (engine.h).
  if (const int signal = stop.received(); signal != 0 && flags.bootstrap && status.code() == Status::Code::kCancelled) {
    std::cerr << program << ": bootstrap interrupted by " << (signal == SIGINT ? "SIGINT" : "SIGTERM") << " after "
              << tally.snapshot_rows() << " rows: the snapshot is incomplete\n";
    return 128 + signal;
  }
  if (status.ok())
    spdlog::info("delivered {}", tally.Summary(flags.bootstrap, !flags.bootstrap || flags.cdc || flags.drain));
  return Report(program, status);
}

}  // namespace sqlite_cdc::cli
