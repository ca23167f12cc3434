#include "sqlite_cdc/engine.h"

#include <algorithm>
#include <functional>
#include <optional>
#include <set>

#include "acknowledger.h"
#include "backoff.h"
#include "capture.h"
#include "capture_config.h"
#include "catalog.h"
#include "delivery_pump.h"
#include "detached_snapshot.h"
#include "drift_monitor.h"
#include "guarded.h"
#include "handler_retries.h"
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

internal::DeletionPacing DeletionPacingOf(const EngineOptions& options) {
  // An interval of 0 asks for a deletion after every batch (a crash re-delivers the least): unpaced.
  const double share = options.ack_interval.count() == 0 ? 1.0 : options.ack_lock_share;
  return {options.ack_interval, options.ack_max_rows, share,
          static_cast<int64_t>(std::min<size_t>(options.ack_catch_up, INT64_MAX))};
}

Database OpenCheckedDatabase(const EngineOptions& options, const schema::LogTableNames& names) {
  if (options.batch_size == 0) throw InvalidInput("batch_size must be at least 1");
  if (options.poll_interval.count() <= 0) throw InvalidInput("poll_interval must be positive");
  if (options.retry.max_attempts < 1) throw InvalidInput("retry.max_attempts must be at least 1");
  if (options.ack_interval.count() < 0) throw InvalidInput("ack_interval must not be negative");
  if (options.ack_max_rows == 0) throw InvalidInput("ack_max_rows must be at least 1");
  if (!(options.ack_lock_share >= 0.001 && options.ack_lock_share <= 1)) {
    throw InvalidInput("ack_lock_share must be from 0.001 to 1");
  }
  if (options.pipeline.max_changes == 0) throw InvalidInput("pipeline.max_changes must be at least 1");
  if (options.pipeline.max_bytes == 0) throw InvalidInput("pipeline.max_bytes must be at least 1");
  if (options.pipeline.stop_grace.count() < 0) throw InvalidInput("pipeline.stop_grace must not be negative");
  internal::ValidateCaptureOptions(options.capture);
  Database db = Database::OpenExisting(options.capture.db_path);
  internal::RequireSetUpLog(db, options.capture, names);
  internal::EnsureLogEpoch(db, names);
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
        ack_(reader_, reader_.Watermark(), DeletionPacingOf(options), options.observer, options.env, log_),
        watcher_(options.capture.db_path, options.poll_interval, options.use_inotify, options.env, log_),
        drift_(db_, tables_, internal::TriggerOptionsFor(options.capture), options.resync, log_),
        backoff_(options.retry.initial_backoff, options.retry.max_backoff,
                 static_cast<uint64_t>(options.env->Now().time_since_epoch().count())),
        retries_(options.retry, options.observer, backoff_, watcher_, log_) {
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
    if (Status status = ResumeFromSinkPosition(handler); !status.ok()) return status;
    return WithPump(handler, [&](internal::DeliveryPump& pump) {
      Status status = DrainRemovingWhatWasDelivered(pump, /*confirm_all=*/true);
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
    if (Status status = ResumeFromSinkPosition(handler); !status.ok()) return status;
    return WithPump(handler, [&](internal::DeliveryPump& pump) {
      Status status;
      bool look = true;
      for (;;) {
        status = look ? DrainRemovingWhatWasDelivered(pump, /*confirm_all=*/false) : pump.Collect(/*flush=*/false);
        if (!status.ok()) break;
        ack_.MaybeFlush(/*force=*/false);
        TakeStreamSnapshotIfWanted(handler);
        // While batches are in flight, their confirmations are collected at least this often.
        auto wait = ack_.TimeUntilDue();
        if (!pump.window().empty()) wait = std::min(wait, internal::kConfirmationPollInterval);
        const internal::Watcher::Wake wake = watcher_.Wait(wait);
        if (wake == internal::Watcher::Wake::kStopped) break;
        // Batches a failure left to send again go out as soon as the backoff is over.
        look = wake == internal::Watcher::Wake::kLook || pump.has_unsent();
      }
      FlushAcknowledgements();
      return status;
    });
  }

  Status Bootstrap(ChangesHandler& handler, int64_t* log_position) {
    if (watcher_.stopped()) return BootstrapCancelled(0, std::nullopt);
    bool wanted = true;
    if (Status status = SinkWantsSnapshot(handler, &wanted); !status.ok()) return status;
    if (watcher_.stopped()) return BootstrapCancelled(0, std::nullopt);
    if (!wanted) return Status::Ok();
    std::vector<schema::TableSchema> tables;
    for (const std::string& name : tables_) tables.push_back(internal::ReadTable(db_, name));
    bool accepted = false;
    Status announced = AnnounceSchema(handler, reader_.LastLoggedId(), &accepted);
    if (!announced.ok()) return announced;
    if (!accepted) return BootstrapCancelled(0, std::nullopt);
    std::optional<internal::SnapshotSpool> copy;
    try {
      copy.emplace(db_, tables, names_, options_.capture.blobs, options_.capture.subsecond, options_.bootstrap_progress,
                   "", stopped_);
    } catch (const internal::SnapshotStopped&) {
      return BootstrapCancelled(0, std::nullopt);
    }
    internal::SnapshotSpool& spool = *copy;
    log_.Info("bootstrap: {} rows from {} tables", spool.rows(), tables.size());
    internal::DeliveryProgress delivery(options_.bootstrap_progress, spool.tables());
    int64_t delivered = 0;
    const auto confirmed = [&](const internal::DeliveryWindow::Batch& batch) {
      delivered += static_cast<int64_t>(batch.changes.size());
      delivery.Delivered(static_cast<int64_t>(batch.changes.size()));
    };
    const auto read_one = [&](internal::DeliveryWindow& window, bool* end) {
      spool.Next(options_.batch_size, batch_);
      *end = batch_.empty();
      if (!*end) window.Add(std::move(batch_), /*read_up_to=*/0, /*rows_read=*/0);
      batch_.clear();
      return Status::Ok();
    };
    Status sent = WithPump(handler, confirmed, [&](internal::DeliveryPump& pump) {
      return pump.Pump(read_one, /*confirm_all=*/true, [] {});
    });
    if (!sent.ok()) return sent;
    if (watcher_.stopped()) return BootstrapCancelled(delivered, spool.rows());
    const int64_t position = spool.log_position();
    Status status = retries_.CallUntilAccepted([&] { return handler.OnSnapshotComplete(position); },
                                               "the end of the bootstrap", &accepted);
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

  // Each public call may come with another handler: it is told the schema before its first batch.
  void BeginCall() { schema_announced_ = false; }

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
    int64_t position = 0;  // stays 0 when the sink already held a snapshot and none was taken
    if (Status status = Bootstrap(handler, &position); !status.ok() || watcher_.stopped()) return status;
    // Only the bootstrapped tables' changes: with --table, other watched tables' changes up to the
    // position are in no snapshot and must still be delivered.
    snapshot_position_ = position;
    snapshot_tables_ = std::set<std::string>(tables_.begin(), tables_.end());
    return Status::Ok();
  }

  // Runs `body` with a pump to `handler`; `confirmed` hears of each batch once it and every batch
  // before it are confirmed (by default: it may leave the log). A plain ChangesHandler is pumped one
  // batch deep, confirmed when its call returns. What is in flight when `body` ends (a stop, a
  // failure, a throw) gets the stop grace to be confirmed.
  //
  // What was read and not confirmed when `body` ends is read again by the next call: the cursor goes
  // back to the end of the confirmed prefix.
  template <typename Body>
  Status WithPump(ChangesHandler& handler, Body body) {
    int64_t confirmed_up_to = cursor_;
    const auto confirmed = [&](const internal::DeliveryWindow::Batch& batch) {
      confirmed_up_to = batch.read_up_to;
      // A sink that keeps a position has stored the id of the batch's last change; rows read past it
      // (dead-lettered, or already in the snapshot) leave the log with the next batch, so that the
      // log never lets go of more than the sink can account for.
      const int64_t up_to = !sink_keeps_position_   ? batch.read_up_to
                            : batch.changes.empty() ? 0
                                                    : batch.changes.back().id;
      if (up_to > 0) ack_.Delivered(up_to, batch.rows_read);
    };
    try {
      Status status = WithPump(handler, confirmed, body);
      cursor_ = confirmed_up_to;
      return status;
    } catch (...) {
      cursor_ = confirmed_up_to;
      throw;
    }
  }

  template <typename Body>
  Status WithPump(ChangesHandler& handler, internal::DeliveryPump::Confirmed confirmed, Body body) {
    const PipelineOptions& bounds = options_.pipeline;
    const internal::DeliveryPump::Parts parts{watcher_, retries_, options_.observer, options_.env, log_};
    std::optional<internal::SynchronousPipeline> synchronous;
    auto* pipelined = dynamic_cast<PipelinedHandler*>(&handler);
    if (!pipelined) pipelined = &synchronous.emplace(handler);
    internal::DeliveryPump pump(
        *pipelined, internal::DeliveryWindow(bounds.max_changes, bounds.max_bytes, synchronous ? 1 : SIZE_MAX),
        std::move(confirmed), parts);
    Status status;
    try {
      status = body(pump);
    } catch (...) {
      Settle(pump);
      throw;
    }
    Settle(pump);
    return status;
  }

  void Settle(internal::DeliveryPump& pump) {
    if (pump.window().empty()) return;
    try {
      pump.Settle(options_.pipeline.stop_grace);
      FlushAcknowledgements();
    } catch (const std::exception& error) {
      log_.Warn("could not remove what was delivered from the log: {}", error.what());
    }
  }

  // Reads ahead from the log and sends while the window has room, collects confirmations, and
  // removes what was confirmed from the log when it is due. Returns when the log has been read to
  // its end and, with `confirm_all`, everything sent was confirmed; or at a stop. A busy, locked or
  // full database only delays: the engine waits and tries again.
  Status Drain(internal::DeliveryPump& pump, bool confirm_all) {
    const auto read_one = [&](internal::DeliveryWindow& window, bool* end) {
      if (batch_.empty()) batch_ = window.TakeSpare();
      int64_t read_up_to = cursor_;
      if (!ReadNextBatch(&read_up_to)) return Status::Ok();  // stopped
      const size_t read = batch_.size();
      DropWhatTheSnapshotHolds();
      if (batch_.empty() && read_up_to == cursor_) {
        *end = true;
        pump.handler().OnCaughtUp();
        return Status::Ok();
      }
      cursor_ = read_up_to;
      const internal::DeliveryWindow::Batch& added = window.Add(std::move(batch_), read_up_to, read);
      batch_.clear();
      if (added.changes.empty()) return Status::Ok();  // no handler call: confirmed with what precedes it
      bool accepted = false;
      return AnnounceSchema(pump.handler(), added.changes.front().id - 1, &accepted);
    };
    return pump.Pump(read_one, confirm_all, [this] { ack_.MaybeFlush(/*force=*/false); });
  }

  // Asks the sink where it stands. One that keeps a position and is a prefix of this log gets what
  // follows its position: the log up to it is acknowledged without being delivered again. One that
  // cannot be a prefix of it (an unfinished snapshot, a position past the log's last id or before
  // what the log still holds) is refused with what to do. A stop while asking leaves everything as is.
  Status ResumeFromSinkPosition(ChangesHandler& handler) {
    SinkPosition position;
    bool accepted = false;
    Status status = ReadSinkPosition(handler, &position, &accepted);
    sink_keeps_position_ = position.kept;
    if (!status.ok() || !accepted || !position.kept) return status;
    if (Status status = RequireEveryTable(); !status.ok()) return status;
    if (position.snapshot == SinkPosition::Snapshot::kUnfinished) {
      return Status::InvalidArgument(
          "the output holds an unfinished snapshot (a bootstrap was cut short): bootstrap it again (--bootstrap)");
    }
    if (!position.log_id) {
      log_.Info("the output has stored no change yet: delivering the log from id {}", cursor_ + 1);
      return Status::Ok();
    }
    if (Status status = RequireThisLog(position); !status.ok()) return status;
    const int64_t at = *position.log_id;
    if (const int64_t last = reader_.LastLoggedId(); at > last) {
      return Status::InvalidArgument("the output is at log id " + std::to_string(at) + ", past this log's last id " +
                                     std::to_string(last) + ": it holds the changes of another database or log");
    }
    if (const int64_t removed = reader_.Watermark(); at < removed) {
      return Status::InvalidArgument(
          "the output is at log id " + std::to_string(at) + " but the log no longer holds ids " +
          std::to_string(at + 1) + " to " + std::to_string(removed) +
          " (another output took them): take a new snapshot into it (--bootstrap --force-bootstrap)");
    }
    if (at > cursor_) {
      log_.Info("the output holds the log up to id {}: resuming after it", at);
      ack_.Delivered(at, 0);
      cursor_ = at;
    }
    return Status::Ok();
  }

  // Whether a bootstrap into `handler` takes a snapshot: not when the sink keeps a position and
  // already holds a complete one, unless forced. A sink that keeps a position gets a snapshot of
  // every watched table or none: the position it stores at the end covers the whole log.
  Status SinkWantsSnapshot(ChangesHandler& handler, bool* wanted) {
    SinkPosition position;
    bool accepted = false;
    Status status = ReadSinkPosition(handler, &position, &accepted);
    *wanted = status.ok() && accepted;
    if (!*wanted || !position.kept) return status;
    if (position.snapshot == SinkPosition::Snapshot::kComplete && !options_.force_bootstrap) {
      if (Status status = RequireThisLog(position); !status.ok()) return status;
      log_.Info(
          "the output already holds a snapshot and the log up to id {}: no new snapshot (force it with "
          "--force-bootstrap)",
          position.log_id.value_or(0));
      *wanted = false;
      return Status::Ok();
    }
    return RequireEveryTable();
  }

  // A position stored under another log (the database set up anew, or another database) says
  // nothing about this log's ids.
  Status RequireThisLog(const SinkPosition& position) {
    const std::string& epoch = LogEpoch();
    if (position.log_epoch.empty() || epoch.empty() || position.log_epoch == epoch) return Status::Ok();
    return Status::InvalidArgument(
        "the output holds the changes of another log (this database was set up anew since, or it is another "
        "database): take a new snapshot into it (--bootstrap --force-bootstrap)");
  }

  // Read once: a log keeps its identity while it exists, and this engine holds the log's lock.
  const std::string& LogEpoch() {
    if (!log_epoch_) {
      const std::optional<internal::StoredConfig> config = internal::ReadStoredConfig(db_, names_);
      log_epoch_ = config ? config->log_epoch : std::string();
    }
    return *log_epoch_;
  }

  // A sink that keeps a position holds every watched table: its position covers the whole log, and
  // the schema it is told of must name every table whose changes it gets.
  Status RequireEveryTable() {
    if (options_.capture.tables.empty()) return Status::Ok();
    CaptureOptions every_table = options_.capture;
    every_table.tables.clear();
    if (internal::ResolveWatchedTables(db_, every_table, names_).size() == tables_.size()) return Status::Ok();
    return Status::InvalidArgument(
        "an output that keeps its position (exactly once) replicates every watched table: leave out --table");
  }

  Status ReadSinkPosition(ChangesHandler& handler, SinkPosition* position, bool* accepted) {
    return retries_.CallUntilAccepted([&] { return handler.ReadPosition(position); }, "the output's position",
                                      accepted);
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
  Status DrainRemovingWhatWasDelivered(internal::DeliveryPump& pump, bool confirm_all) {
    try {
      return Drain(pump, confirm_all);
    } catch (...) {
      try {
        ack_.FlushBeforeExit();
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
        *read_up_to = reader_.ReadBatch(cursor_, options_.batch_size, batch_);
        // Checked after the read, so that a schema change the read may have seen (images of new
        // columns) is announced before the batch. (Images older than a schema are what a consumer
        // can follow: a column they lack keeps its default or its value, an old name leads to the
        // new one, a dropped column's member is left out; not the reverse.)
        if (drift_.CheckIfSchemaChanged()) schema_announced_ = false;
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
  // stop; after a stop one attempt is made for each deletion, and what stays is delivered again at
  // the next start.
  void FlushAcknowledgements() {
    while (!ack_.MaybeFlush(/*force=*/true) && !watcher_.stopped()) {
      if (!watcher_.Sleep(ack_.TimeUntilDue(/*force=*/true))) break;
    }
    if (watcher_.stopped()) ack_.FlushBeforeExit();
  }

  // Hands the handler the watched tables' definitions once per run and after each schema change,
  // before the batch that follows; `log_position` is the id just before that batch.
  Status AnnounceSchema(ChangesHandler& handler, int64_t log_position, bool* accepted) {
    *accepted = true;
    if (schema_announced_) return Status::Ok();
    WatchedSchema schema;
    schema.log_position = log_position;
    schema.log_epoch = LogEpoch();
    for (const std::string& name : tables_) {
      try {
        schema.tables.push_back(internal::DefineTable(db_, internal::ReadTable(db_, name)));
      } catch (const internal::InvalidInput&) {
        // Dropped since: its logged changes are still delivered, and the archive keeps its last definition.
      }
    }
    Status status = retries_.CallUntilAccepted([&] { return handler.OnSchema(schema); }, "the schema", accepted);
    schema_announced_ = status.ok() && *accepted;
    return status;
  }

  // --- Snapshots while streaming (ChangesHandler::SnapshotWanted) ---------------------------------
  // Only the read runs on this thread (the stream waits that long); the handler stores the copy in
  // the background. A read that fails is logged and not tried again for a minute.
  //
  // The rows must come with the schema they were read under, which the handler has before the
  // copy (a restore from the copy takes the schema announced at or before its position): a schema
  // change not announced yet (an ALTER with no change logged since) is announced first, and a copy
  // read under another schema version than that (an ALTER during the read) is dropped and read
  // again at the next turn.
  void TakeStreamSnapshotIfWanted(ChangesHandler& handler) {
    const auto now = options_.env->Now();
    if (now < stream_snapshot_retry_at_ || !handler.SnapshotWanted()) return;
    std::unique_ptr<internal::DetachedSnapshot> snapshot;
    try {
      if (drift_.CheckIfSchemaChanged()) schema_announced_ = false;
      bool accepted = false;
      if (Status status = AnnounceSchema(handler, cursor_, &accepted); !status.ok() || !accepted) {
        log_.Warn("could not announce the schema before a snapshot (trying again in a minute): {}",
                  status.ok() ? "the output declined it" : status.message());
        stream_snapshot_retry_at_ = now + std::chrono::minutes(1);
        return;
      }
      std::vector<schema::TableSchema> tables;
      for (const std::string& name : tables_) {
        try {
          tables.push_back(internal::ReadTable(db_, name));
        } catch (const internal::InvalidInput&) {
          // Dropped since: nothing of it to copy.
        }
      }
      snapshot = internal::DetachedSnapshot::Take(db_, tables, names_, options_.capture.blobs,
                                                  options_.capture.subsecond, stopped_);
    } catch (const internal::SnapshotStopped&) {
      return;  // a stop does not wait for the copy
    } catch (const std::exception& error) {
      log_.Warn("could not take a snapshot while streaming (trying again in a minute): {}", error.what());
      stream_snapshot_retry_at_ = now + std::chrono::minutes(1);
      return;
    }
    if (snapshot->schema_version() != drift_.schema_version()) {
      log_.Info("the schema changed while a snapshot was read; it is read again");
      return;
    }
    const auto read_ms = std::chrono::duration_cast<std::chrono::milliseconds>(options_.env->Now() - now).count();
    log_.Info("snapshot while streaming: {} rows at log id {}, read in {} ms", snapshot->rows(),
              snapshot->log_position(), read_ms);
    handler.TakeSnapshot(std::move(snapshot));
  }
  Env::Clock::time_point stream_snapshot_retry_at_{};
  // Asked during a snapshot's copy, which a stop does not wait for.
  const std::function<bool()> stopped_ = [this] { return watcher_.stopped(); };
  // --- end of snapshots while streaming ---------------------------------------------------------

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
  internal::HandlerRetries retries_;
  int64_t cursor_ = 0;
  int64_t snapshot_position_ = 0;          // after a bootstrap: the log position its snapshot reflects
  std::set<std::string> snapshot_tables_;  // the tables it covered
  bool schema_announced_ = false;
  bool sink_keeps_position_ = false;  // as the handler of the current call said
  std::optional<std::string> log_epoch_;
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
  impl_->BeginCall();
  return internal::Guarded([&] { return impl_->Bootstrap(handler, nullptr); });
}
Status Engine::DrainOnce(ChangesHandler& handler) {
  impl_->BeginCall();
  return internal::Guarded([&] { return impl_->DrainOnce(handler); });
}
Status Engine::RunCdc(ChangesHandler& handler) {
  impl_->BeginCall();
  return internal::Guarded([&] { return impl_->RunCdc(handler); });
}
Status Engine::BootstrapThenCdc(ChangesHandler& handler) {
  impl_->BeginCall();
  return internal::Guarded([&] { return impl_->BootstrapThenCdc(handler); });
}
Status Engine::BootstrapThenDrain(ChangesHandler& handler) {
  impl_->BeginCall();
  return internal::Guarded([&] { return impl_->BootstrapThenDrain(handler); });
}
void Engine::Stop() { impl_->Stop(); }

}  // namespace sqlite_cdc
