#include "sqlite_cdc/engine.h"

#include <algorithm>
#include <optional>
#include <set>

#include "acknowledger.h"
#include "backoff.h"
#include "capture.h"
#include "capture_config.h"
#include "catalog.h"
#include "delivery_window.h"
#include "drift_monitor.h"
#include "guarded.h"
#include "info_log.h"
#include "log_lock.h"
#include "log_reader.h"
#include "log_state_check.h"
#include "schema/identifier.h"
#include "snapshot_spool.h"
#include "sqlite_cdc/engine_observer.h"
#include "sqlite_cdc/pipelined_handler.h"
#include "synchronous_pipeline.h"
#include "watcher.h"

namespace sqlite_cdc {

using internal::Database;
using internal::InvalidInput;

namespace {

// While batches are in flight, the engine asks for their confirmations at least this often.
constexpr std::chrono::milliseconds kConfirmationPollInterval{20};

Database OpenCheckedDatabase(const EngineOptions& options, const schema::LogTableNames& names) {
  if (options.batch_size == 0) throw InvalidInput("batch_size must be at least 1");
  if (options.poll_interval.count() <= 0) throw InvalidInput("poll_interval must be positive");
  if (options.retry.max_attempts < 1) throw InvalidInput("retry.max_attempts must be at least 1");
  if (options.ack_interval.count() < 0) throw InvalidInput("ack_interval must not be negative");
  if (options.pipeline.max_changes == 0) throw InvalidInput("pipeline.max_changes must be at least 1");
  if (options.pipeline.max_bytes == 0) throw InvalidInput("pipeline.max_bytes must be at least 1");
  if (options.pipeline.stop_grace.count() < 0) throw InvalidInput("pipeline.stop_grace must not be negative");
  internal::ValidateCaptureOptions(options.capture);
  Database db = Database::OpenExisting(options.capture.db_path);
  internal::RequireSetUpLog(db, options.capture, names);
  if (std::string problem = internal::LogStateProblem(db, names); !problem.empty()) throw InvalidInput(problem);
  // A log emptied by an older version (or by hand): put the high-water row back before the triggers
  // can number a change at or below the watermark. Read first: a write would take the lock.
  if (db.QueryInt(schema::HighWaterRowMissingSql(names)) > 0) db.Execute(schema::RestoreHighWaterRowSql(names));
  return db;
}

}  // namespace

class EngineImpl {
 public:
  EngineImpl(const EngineOptions& options, const schema::LogTableNames& names, Database db)
      : options_(options),
        names_(names),
        log_(options.info_log),
        lock_(options.capture.db_path, names.log),
        db_(std::move(db)),
        tables_(internal::ResolveWatchedTables(db_, options.capture, names)),
        reader_(db_, names_, options.dead_letter_path, log_),
        ack_(reader_, reader_.Watermark(), options.ack_interval, std::max<size_t>(1, options.ack_max_rows),
             options.observer, options.env, log_),
        watcher_(options.capture.db_path, options.poll_interval, options.use_inotify, options.env, log_),
        drift_(db_, tables_, internal::TriggerOptionsFor(options.capture), options.resync, log_),
        backoff_(options.retry.initial_backoff, options.retry.max_backoff,
                 static_cast<uint64_t>(options.env->Now().time_since_epoch().count())) {
    // Our own connection only: losing a deletion to a power cut means a batch is delivered again,
    // which at-least-once allows, so an fsync per acknowledged batch buys nothing. --db-params may
    // still ask for more.
    db_.Execute("PRAGMA synchronous=NORMAL");
    internal::ApplyPragmas(db_, internal::ParseDbParams(options.capture.db_params));
    drift_.CheckIfSchemaChanged();
    cursor_ = reader_.Watermark();
  }

  // Delivers the log until it is empty, and removes what was delivered from it.
  Status DrainOnce(ChangesHandler& handler) {
    return WithPipeline(handler, [&](Pipeline& pipe) {
      Status status = DrainRemovingWhatWasDelivered(pipe, /*confirm_all=*/true);
      FlushAcknowledgements();
      if (status.ok() && watcher_.stopped()) {
        return Status::Cancelled("stopped before the log was drained; what was not delivered stays in the log");
      }
      return status;
    });
  }

  Status RunCdc(ChangesHandler& handler) {
    if (!watcher_.inotify_active()) {
      log_.Info("watching {} by polling every {} ms", options_.capture.db_path, options_.poll_interval.count());
    }
    return WithPipeline(handler, [&](Pipeline& pipe) {
      Status status;
      bool look = true;
      for (;;) {
        status = look ? DrainRemovingWhatWasDelivered(pipe, /*confirm_all=*/false) : Collect(pipe, /*flush=*/false);
        if (!status.ok()) break;
        ack_.MaybeFlush(/*force=*/false);
        // While batches are in flight, their confirmations are collected at least this often.
        auto wait = ack_.TimeUntilDue();
        if (!pipe.window.empty()) wait = std::min(wait, kConfirmationPollInterval);
        const internal::Watcher::Wake wake = watcher_.Wait(wait);
        if (wake == internal::Watcher::Wake::kStopped) break;
        // Batches a failure left to send again go out as soon as the backoff is over.
        look = wake == internal::Watcher::Wake::kLook || pipe.window.NextUnsent() != nullptr;
      }
      FlushAcknowledgements();
      return status;
    });
  }

  Status Bootstrap(ChangesHandler& handler, int64_t* log_position) {
    if (watcher_.stopped()) return BootstrapCancelled(0, std::nullopt);
    std::vector<schema::TableSchema> tables;
    for (const std::string& name : tables_) tables.push_back(internal::ReadTable(db_, name));
    bool accepted = false;
    Status announced = AnnounceSchema(handler, reader_.LastLoggedId(), &accepted);
    if (!announced.ok()) return announced;
    if (!accepted) return BootstrapCancelled(0, std::nullopt);
    internal::SnapshotSpool spool(db_, tables, names_, options_.capture.blobs, options_.capture.subsecond,
                                  options_.bootstrap_progress);
    log_.Info("bootstrap: {} rows from {} tables", spool.rows(), tables.size());
    internal::DeliveryProgress delivery(options_.bootstrap_progress, spool.tables());
    int64_t delivered = 0;
    const auto confirmed = [&](const internal::DeliveryWindow::Batch& batch) {
      delivered += static_cast<int64_t>(batch.changes.size());
      delivery.Delivered(static_cast<int64_t>(batch.changes.size()));
    };
    const auto read_one = [&](Pipeline& pipe, bool* end) {
      spool.Next(options_.batch_size, batch_);
      *end = batch_.empty();
      if (!*end) pipe.window.Add(std::move(batch_), /*read_up_to=*/0, /*rows_read=*/0);
      batch_.clear();
      return Status::Ok();
    };
    Status sent = WithPipeline(handler, confirmed, [&](Pipeline& pipe) { return Pump(pipe, read_one, true); });
    if (!sent.ok()) return sent;
    if (watcher_.stopped()) return BootstrapCancelled(delivered, spool.rows());
    const int64_t position = spool.log_position();
    Status status =
        CallWithRetries([&] { return handler.OnSnapshotComplete(position); }, "the end of the bootstrap", &accepted);
    if (!status.ok()) return status;
    if (!accepted) return BootstrapCancelled(delivered, spool.rows());
    if (log_position) *log_position = spool.log_position();
    return Status::Ok();
  }

  Status BootstrapThenCdc(ChangesHandler& handler) {
    if (Status status = BootstrapPastItsLog(handler); !status.ok() || watcher_.stopped()) return status;
    return RunCdc(handler);
  }

  Status BootstrapThenDrain(ChangesHandler& handler) {
    if (Status status = BootstrapPastItsLog(handler); !status.ok()) return status;
    return DrainOnce(handler);
  }

  void Stop() { watcher_.Stop(); }

 private:
  // A bootstrap cut short by Stop(): `rows` of the snapshot, when it was taken, and how many of them
  // the handler accepted.
  static Status BootstrapCancelled(int64_t delivered, std::optional<int64_t> rows) {
    const std::string done = rows ? "after " + std::to_string(delivered) + " of " + std::to_string(*rows) + " rows"
                                  : "before its snapshot was taken";
    return Status::Cancelled("stopped during the bootstrap " + done +
                             "; a bootstrap run again starts from the first row");
  }

  // Bootstrap, then what the log holds up to the snapshot's position, which the snapshot already
  // reflects, leaves the log undelivered.
  Status BootstrapPastItsLog(ChangesHandler& handler) {
    int64_t position = 0;
    if (Status status = Bootstrap(handler, &position); !status.ok() || watcher_.stopped()) return status;
    // Only the bootstrapped tables' changes: with --table, other watched tables' changes up to the
    // position are in no snapshot and must still be delivered.
    snapshot_position_ = position;
    snapshot_tables_ = std::set<std::string>(tables_.begin(), tables_.end());
    return Status::Ok();
  }

  // A handler and what is in flight to it. A plain ChangesHandler is wrapped so that it has one
  // batch in flight, confirmed when its call returns.
  using ConfirmedBatch = std::function<void(const internal::DeliveryWindow::Batch&)>;
  struct Pipeline {
    PipelinedHandler& handler;
    internal::DeliveryWindow window;
    ConfirmedBatch confirmed;  // each batch once it and every batch before it are confirmed
    int failures = 0;          // in a row, without a confirmation between them
  };

  // Runs `body` with `handler` as a pipeline; what is confirmed leaves the log.
  template <typename Body>
  Status WithPipeline(ChangesHandler& handler, Body body) {
    return WithPipeline(
        handler,
        [this](const internal::DeliveryWindow::Batch& batch) { ack_.Delivered(batch.read_up_to, batch.rows_read); },
        body);
  }

  template <typename Body>
  Status WithPipeline(ChangesHandler& handler, ConfirmedBatch confirmed, Body body) {
    const PipelineOptions& bounds = options_.pipeline;
    if (auto* pipelined = dynamic_cast<PipelinedHandler*>(&handler)) {
      Pipeline pipe{*pipelined, internal::DeliveryWindow(bounds.max_changes, bounds.max_bytes, SIZE_MAX),
                    std::move(confirmed)};
      return RunSettling(pipe, body);
    }
    internal::SynchronousPipeline synchronous(handler);
    Pipeline pipe{synchronous, internal::DeliveryWindow(bounds.max_changes, bounds.max_bytes, 1), std::move(confirmed)};
    return RunSettling(pipe, body);
  }

  template <typename Body>
  Status RunSettling(Pipeline& pipe, Body& body) {
    Status status;
    try {
      status = body(pipe);
    } catch (...) {
      (void)Settled(pipe, Status::Ok());
      throw;
    }
    return Settled(pipe, std::move(status));
  }

  // What is still in flight when a run ends (a stop, a failure): waits up to the stop grace for its
  // confirmations, so that it leaves the log; the rest stays there and is delivered again.
  Status Settled(Pipeline& pipe, Status status) {
    if (pipe.window.empty()) return status;
    // Real time: it bounds waits for a real destination, which the env does not simulate.
    const auto deadline = std::chrono::steady_clock::now() + options_.pipeline.stop_grace;
    try {
      while (!pipe.window.empty() && pipe.window.NextUnsent() == nullptr &&
             std::chrono::steady_clock::now() < deadline) {
        const Confirmations confirmed = PollHandler(pipe, kConfirmationPollInterval, /*flush=*/true);
        ConfirmFront(pipe, confirmed.batches);
        if (confirmed.failure.kind != HandlerResult::Kind::kSuccess) break;
      }
      FlushAcknowledgements();
    } catch (const std::exception& error) {
      log_.Warn("could not remove what was delivered from the log: {}", error.what());
    }
    if (!pipe.window.empty()) {
      log_.Info("{} changes in flight were not confirmed; they will be delivered again",
                pipe.window.changes());
    }
    return status;
  }

  // Reads ahead from the log and sends while the window has room, collects confirmations, and
  // removes what was confirmed from the log when it is due. Returns when the log has been read to
  // its end and, with `confirm_all`, everything sent was confirmed; or at a stop. A busy, locked or
  // full database only delays: the engine waits and tries again.
  Status Drain(Pipeline& pipe, bool confirm_all) {
    return Pump(
        pipe,
        [this](Pipeline& pipe, bool* end) {
          int64_t read_up_to = cursor_;
          if (!ReadNextBatch(&read_up_to)) return Status::Ok();  // stopped
          const size_t read = batch_.size();
          DropWhatTheSnapshotHolds();
          if (batch_.empty() && read_up_to == cursor_) {
            *end = true;
            return Status::Ok();
          }
          cursor_ = read_up_to;
          const internal::DeliveryWindow::Batch& added = pipe.window.Add(std::move(batch_), read_up_to, read);
          batch_.clear();
          if (added.changes.empty()) return Status::Ok();  // no handler call: confirmed with what precedes it
          bool accepted = false;
          return AnnounceSchema(pipe.handler, added.changes.front().id - 1, &accepted);
        },
        confirm_all);
  }

  // Sends the batches `read_one` adds to the window (one per call, or *end when there are no more)
  // while it has room, and collects their confirmations; see Drain.
  template <typename ReadOne>
  Status Pump(Pipeline& pipe, ReadOne read_one, bool confirm_all) {
    bool end = false;
    while (!watcher_.stopped()) {
      if (Status status = SendUnsent(pipe); !status.ok()) return status;
      while (!end && pipe.window.HasRoom() && pipe.window.NextUnsent() == nullptr && !watcher_.stopped()) {
        if (Status status = read_one(pipe, &end); !status.ok()) return status;
        if (Status status = SendUnsent(pipe); !status.ok()) return status;
      }
      ConfirmFront(pipe, 0);
      ack_.MaybeFlush(/*force=*/false);
      if (pipe.window.empty() && end) return Status::Ok();
      if (pipe.window.NextUnsent() != nullptr) continue;  // a failure asked to send again
      if (end && !confirm_all) return Collect(pipe, /*flush=*/false);
      // Full, or everything is read: nothing more is sent until confirmations come, so ask for them.
      if (Status status = Collect(pipe, /*flush=*/true, kConfirmationPollInterval); !status.ok()) return status;
    }
    return Status::Ok();
  }

  // Sends every batch of the window not sent yet, in order; a refusal is handled as a failure.
  Status SendUnsent(Pipeline& pipe) {
    for (internal::DeliveryWindow::Batch* next = pipe.window.NextUnsent(); next && !watcher_.stopped();
         next = pipe.window.NextUnsent()) {
      HandlerResult result;
      try {
        result = pipe.handler.Send(next->changes);
      } catch (const std::exception& error) {
        result = HandlerResult::Retry(std::string("handler threw: ") + error.what());
      }
      next->sent = true;
      next->sent_at = options_.env->Now();
      if (result.kind != HandlerResult::Kind::kSuccess) {
        // Confirmations that came before the refusal still count.
        ConfirmFront(pipe, PollHandler(pipe, std::chrono::milliseconds(0), /*flush=*/false).batches);
        return AfterFailure(pipe, result);
      }
      if (options_.observer) options_.observer->OnInFlight(pipe.window.batches(), pipe.window.changes());
    }
    return Status::Ok();
  }

  // Polls the handler once and takes what it confirmed off the window.
  Status Collect(Pipeline& pipe, bool flush, std::chrono::milliseconds wait = std::chrono::milliseconds(0)) {
    if (pipe.window.empty()) return Status::Ok();
    const Confirmations confirmed = PollHandler(pipe, wait, flush);
    ConfirmFront(pipe, confirmed.batches);
    if (confirmed.failure.kind != HandlerResult::Kind::kSuccess) return AfterFailure(pipe, confirmed.failure);
    return Status::Ok();
  }

  Confirmations PollHandler(Pipeline& pipe, std::chrono::milliseconds wait, bool flush) {
    try {
      return pipe.handler.Poll(wait, flush);
    } catch (const std::exception& error) {
      Confirmations failed;
      failed.failure = HandlerResult::Retry(std::string("handler threw: ") + error.what());
      return failed;
    }
  }

  // Takes `sent` confirmed batches off the front of the window, and the batches that needed no
  // handler call wherever they are reached; each is then delivered, for the acknowledger.
  void ConfirmFront(Pipeline& pipe, size_t sent) {
    EngineObserver* observer = options_.observer;
    bool popped = false;
    while (!pipe.window.empty()) {
      if (!pipe.window.FrontNeedsNoConfirmation()) {
        if (sent == 0) break;
        --sent;
      }
      popped = true;
      const internal::DeliveryWindow::Batch batch = pipe.window.PopFront();
      pipe.confirmed(batch);
      if (!batch.changes.empty()) {
        pipe.failures = 0;
        if (observer) observer->OnBatchDelivered(batch.changes, options_.env->Now() - batch.sent_at);
      }
    }
    if (observer && popped) observer->OnInFlight(pipe.window.batches(), pipe.window.changes());
  }

  // The oldest unconfirmed batch failed: everything in flight is sent again after a backoff, in log
  // order, unless the handler said kFatal or failed too often in a row.
  Status AfterFailure(Pipeline& pipe, const HandlerResult& result) {
    pipe.window.MarkAllUnsent();
    const internal::DeliveryWindow::Batch* first = pipe.window.NextUnsent();
    // A stop during the backoff ends the run with the window still to send.
    return GiveUpOrBackOff(result, ++pipe.failures, first ? BatchRange(first->changes) : "a batch")
        .value_or(Status::Ok());
  }

  // Changes of the bootstrapped tables logged up to the snapshot's position are already in it.
  void DropWhatTheSnapshotHolds() {
    if (batch_.empty() || batch_.front().id > snapshot_position_) return;
    std::erase_if(batch_, [&](const Change& change) {
      return change.id <= snapshot_position_ && snapshot_tables_.count(change.table) > 0;
    });
  }

  // Drain, and when it throws (a damaged row, a database error that is not transient), what the
  // handler accepted before still leaves the log: one attempt, then the error goes on.
  Status DrainRemovingWhatWasDelivered(Pipeline& pipe, bool confirm_all) {
    try {
      return Drain(pipe, confirm_all);
    } catch (...) {
      try {
        ack_.MaybeFlush(/*force=*/true);
      } catch (const std::exception& error) {
        log_.Warn("could not remove what was delivered from the log: {}", error.what());
      }
      throw;
    }
  }

  // Reads the batch after the cursor into batch_ and the last id it consumed into *read_up_to,
  // waiting out transient faults; false after a stop.
  bool ReadNextBatch(int64_t* read_up_to) {
    for (int attempt = 1;; ++attempt) {
      try {
        if (drift_.CheckIfSchemaChanged()) schema_announced_ = false;
        *read_up_to = reader_.ReadBatch(cursor_, options_.batch_size, batch_);
        if (attempt > 1 && options_.observer) options_.observer->OnDatabaseRecovered();
        return true;
      } catch (internal::DatabaseError& error) {
        if (!error.transient()) {
          error.AddContext("read the next batch after log id " + std::to_string(cursor_));
          throw;
        }
        const auto delay = backoff_.Delay(attempt);
        log_.Warn("could not read the log (attempt {}), retrying in {} ms: {}", attempt, delay.count(), error.what());
        if (options_.observer) options_.observer->OnDatabaseRetry();
        if (!watcher_.Sleep(delay)) return false;
      }
    }
  }

  // Removes everything delivered from the log, waiting out transient faults until it succeeds or a
  // stop; after a stop one last attempt is made, and what stays is delivered again at the next start.
  void FlushAcknowledgements() {
    while (!ack_.MaybeFlush(/*force=*/true) && !watcher_.stopped()) {
      if (!watcher_.Sleep(ack_.TimeUntilDue())) break;
    }
    if (watcher_.stopped() && ack_.pending()) {
      ack_.MaybeFlush(/*force=*/true);
    }
  }

  // Hands the handler the watched tables' definitions once per run and after each schema change,
  // before the batch that follows; `log_position` is the id just before that batch.
  Status AnnounceSchema(ChangesHandler& handler, int64_t log_position, bool* accepted) {
    *accepted = true;
    if (schema_announced_) return Status::Ok();
    WatchedSchema schema;
    schema.log_position = log_position;
    for (const std::string& name : tables_) {
      try {
        schema.tables.push_back(internal::DefineTable(db_, internal::ReadTable(db_, name)));
      } catch (const internal::InvalidInput&) {
        // Dropped since: its logged changes are still delivered, and the archive keeps its last definition.
      }
    }
    Status status = CallWithRetries([&] { return handler.OnSchema(schema); }, "the schema", accepted);
    schema_announced_ = status.ok() && *accepted;
    return status;
  }

  // Calls `call` until the handler accepts (*accepted), within the retry bounds. Ok without
  // *accepted means a stop came during a backoff. `where` names what was handed over, for messages.
  template <typename Call>
  Status CallWithRetries(Call call, const std::string& where, bool* accepted) {
    *accepted = false;
    for (int attempt = 1;; ++attempt) {
      HandlerResult result;
      try {
        result = call();
      } catch (const std::exception& error) {
        result = HandlerResult::Retry(std::string("handler threw: ") + error.what());
      }
      if (result.kind == HandlerResult::Kind::kSuccess) {
        *accepted = true;
        return Status::Ok();
      }
      if (std::optional<Status> given_up = GiveUpOrBackOff(result, attempt, where)) return *given_up;
      if (watcher_.stopped()) return Status::Ok();
    }
  }

  // After the `attempt`-th failure on `where`: the Status to stop with when the handler said kFatal
  // or the attempts are used up; else waits out the backoff (cut short by a stop) and returns nullopt.
  std::optional<Status> GiveUpOrBackOff(const HandlerResult& result, int attempt, const std::string& where) {
    const bool will_retry = result.kind == HandlerResult::Kind::kRetry && attempt < options_.retry.max_attempts;
    if (options_.observer) options_.observer->OnHandlerFailure(will_retry);
    if (result.kind == HandlerResult::Kind::kFatal) {
      return Status::HandlerFailed("handler failed on " + where + ": " + result.message);
    }
    if (!will_retry) {
      return Status::HandlerFailed("handler failed " + std::to_string(attempt) + " times on " + where +
                                   "; giving up with the batch still in the log: " + result.message);
    }
    const auto delay = std::max(backoff_.Delay(attempt), std::min(result.retry_after, options_.retry.max_backoff));
    log_.Warn("handler failed on {} (attempt {} of {}), retrying in {} ms: {}", where, attempt,
              options_.retry.max_attempts, delay.count(), result.message);
    watcher_.Sleep(delay);
    return std::nullopt;
  }

  static std::string BatchRange(const Changes& batch) {
    if (batch.front().bootstrap) return "a bootstrap batch of " + std::to_string(batch.size()) + " rows";
    return "log ids " + std::to_string(batch.front().id) + ".." + std::to_string(batch.back().id);
  }

  EngineOptions options_;
  schema::LogTableNames names_;
  internal::InfoLog log_;
  internal::LogLock lock_;
  Database db_;
  std::vector<std::string> tables_;
  internal::LogReader reader_;
  internal::Acknowledger ack_;
  internal::Watcher watcher_;
  internal::DriftMonitor drift_;
  internal::Backoff backoff_;
  int64_t cursor_ = 0;
  int64_t snapshot_position_ = 0;          // after a bootstrap: the log position its snapshot reflects
  std::set<std::string> snapshot_tables_;  // the tables it covered
  bool schema_announced_ = false;
  Changes batch_;
};

Engine::Engine(std::unique_ptr<EngineImpl> impl) : impl_(std::move(impl)) {}
Engine::~Engine() = default;

Status Engine::Open(const EngineOptions& options, std::unique_ptr<Engine>* engine) {
  return internal::Guarded([&] {
    const schema::LogTableNames names = schema::LogTableNames::For(options.capture.log_table);
    Database db = OpenCheckedDatabase(options, names);
    EngineOptions resolved = options;  // the capture options stored at setup, where there are
    resolved.capture = internal::ResolveCaptureOptions(options.capture, internal::ReadStoredConfig(db, names));
    if (!resolved.env) resolved.env = Env::Default();
    engine->reset(new Engine(std::make_unique<EngineImpl>(resolved, names, std::move(db))));
    return Status::Ok();
  });
}

Status Engine::Bootstrap(ChangesHandler& handler) {
  return internal::Guarded([&] { return impl_->Bootstrap(handler, nullptr); });
}
Status Engine::DrainOnce(ChangesHandler& handler) {
  return internal::Guarded([&] { return impl_->DrainOnce(handler); });
}
Status Engine::RunCdc(ChangesHandler& handler) {
  return internal::Guarded([&] { return impl_->RunCdc(handler); });
}
Status Engine::BootstrapThenCdc(ChangesHandler& handler) {
  return internal::Guarded([&] { return impl_->BootstrapThenCdc(handler); });
}
Status Engine::BootstrapThenDrain(ChangesHandler& handler) {
  return internal::Guarded([&] { return impl_->BootstrapThenDrain(handler); });
}
void Engine::Stop() { impl_->Stop(); }

}  // namespace sqlite_cdc
