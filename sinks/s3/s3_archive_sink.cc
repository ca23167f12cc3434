#include "sinks/s3/s3_archive_sink.h"

#include <algorithm>
#include <random>

#include "sinks/s3/archive_layout.h"
#include "sinks/s3/gzip.h"
#include "sqlite_cdc/restore.h"

namespace sqlite_cdc::sinks {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::string Rfc3339(std::chrono::system_clock::time_point at, const char* format) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(at);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char text[32];
  std::strftime(text, sizeof(text), format, &parts);
  return text;
}

HandlerResult ToHandlerResult(const S3Outcome& outcome) {
  switch (outcome.kind) {
    case S3Outcome::Kind::kOk:
      return HandlerResult::Success();
    case S3Outcome::Kind::kRetry:
      return HandlerResult::Retry(outcome.message);
    default:
      return HandlerResult::Fatal(outcome.message);
  }
}

}  // namespace

S3ArchiveSink::S3ArchiveSink(const ClientFactory& make_client, S3SinkOptions options, Clock now)
    : client_(make_client()),
      now_(std::move(now)),
      cutter_(ObjectBounds{options.flush_interval, options.max_object_changes, options.max_object_bytes}),
      pool_(std::max(options.puts_in_flight, 1), make_client) {
  if (options.snapshot_interval.count() > 0 || options.retention.count() > 0) {
    ArchiveMaintenanceOptions maintenance;
    maintenance.snapshot_interval = options.snapshot_interval;
    maintenance.retention = options.retention;
    maintenance.part_changes = options.max_object_changes;
    maintenance.part_bytes = options.max_object_bytes;
    maintainer_ = std::make_unique<ArchiveMaintainer>(make_client(), maintenance, now_);
  }
}

bool S3ArchiveSink::SnapshotWanted() { return maintainer_ && maintainer_->SnapshotDue(last_sent_id_); }

void S3ArchiveSink::TakeSnapshot(std::unique_ptr<StreamSnapshot> snapshot) {
  if (maintainer_) maintainer_->Store(std::move(snapshot));
}

HandlerResult S3ArchiveSink::Put(const std::string& name, const std::string& body, const std::string& content_type) {
  return ToHandlerResult(client_->Put(client_->location().Key(name), body, content_type));
}

HandlerResult S3ArchiveSink::Send(const Changes& batch) {
  if (!batch.empty() && batch.front().bootstrap) {
    // A part stored and then forgotten after a failure would be stored again under the next number.
    if (!nothing_in_flight()) return HandlerResult::Fatal("s3 archive: a bootstrap batch came with changes in flight");
    HandlerResult result = SnapshotPart(batch);
    if (result.kind == HandlerResult::Kind::kSuccess) {
      objects_.push_back({next_sequence_++, 1, ObjectInFlight::State::kStored, {}});
    }
    return result;
  }
  if (failing_) {  // forgotten at the report, with everything else unconfirmed
    objects_.push_back({next_sequence_++, 1, ObjectInFlight::State::kPending, {}});
    return HandlerResult::Success();
  }
  if (!batch.empty()) last_sent_id_ = std::max(last_sent_id_, batch.back().id);
  const auto now = SteadyClock::now();
  if (auto cut = cutter_.Add(batch, now)) Store(std::move(*cut));
  if (cutter_.Due(now)) CutOpenObject();
  return HandlerResult::Success();
}

bool S3ArchiveSink::nothing_in_flight() const {
  return cutter_.empty() && std::all_of(objects_.begin(), objects_.end(), [](const ObjectInFlight& object) {
           return object.state == ObjectInFlight::State::kStored;
         });
}

void S3ArchiveSink::CutOpenObject() { Store(cutter_.Cut()); }

void S3ArchiveSink::Store(CutObject object) {
  const uint64_t sequence = next_sequence_++;
  if (object.changes == 0) {  // only empty batches: nothing to write, confirmed in its turn
    objects_.push_back({sequence, object.batches, ObjectInFlight::State::kStored, {}});
    return;
  }
  objects_.push_back({sequence, object.batches, ObjectInFlight::State::kPending, {}});
  pool_.Submit({sequence, ChangesObjectName(object.first_id, object.last_id), std::move(object.lines)});
}

void S3ArchiveSink::Absorb(const std::vector<PutResult>& results) {
  for (const PutResult& result : results) {
    const auto object = std::find_if(objects_.begin(), objects_.end(),
                                     [&](const ObjectInFlight& o) { return o.sequence == result.sequence; });
    if (object == objects_.end()) continue;  // forgotten after an earlier failure
    if (result.outcome.ok()) {
      object->state = ObjectInFlight::State::kStored;
      ++objects_stored_;
      continue;
    }
    object->state = ObjectInFlight::State::kFailed;
    object->failure = ToHandlerResult(result.outcome);
    if (!failing_) pool_.CancelQueued();  // they would be forgotten anyway
    failing_ = true;
  }
}

Confirmations S3ArchiveSink::Report() {
  Confirmations report;
  while (!objects_.empty() && objects_.front().state == ObjectInFlight::State::kStored) {
    report.batches += objects_.front().batches;
    objects_.pop_front();
  }
  if (!failing_ || !pool_.idle()) return report;
  // Every PUT has finished: report the failure (a fatal one first: retrying will not fix it) and
  // forget the rest, stored or not; the engine sends it again.
  Absorb(pool_.Wait(SteadyClock::now()));
  const ObjectInFlight* failed = nullptr;
  for (const ObjectInFlight& object : objects_) {
    if (object.state != ObjectInFlight::State::kFailed) continue;
    if (!failed ||
        (object.failure.kind == HandlerResult::Kind::kFatal && failed->failure.kind != HandlerResult::Kind::kFatal)) {
      failed = &object;
    }
  }
  report.failure = failed ? failed->failure : HandlerResult::Retry("s3 archive: a PUT failed");
  objects_.clear();
  cutter_.Clear();
  failing_ = false;
  return report;
}

Confirmations S3ArchiveSink::Poll(std::chrono::milliseconds wait, bool flush) {
  const auto end = SteadyClock::now() + wait;
  for (;;) {
    const auto now = SteadyClock::now();
    if (!failing_ && !cutter_.empty() && (flush || cutter_.Due(now))) CutOpenObject();
    Absorb(pool_.Wait(now));
    Confirmations report = Report();
    if (report.batches > 0 || report.failure.kind != HandlerResult::Kind::kSuccess || nothing_in_flight() ||
        now >= end) {
      return report;
    }
    auto until = end;
    if (const auto deadline = cutter_.deadline(); deadline && !failing_) until = std::min(until, *deadline);
    Absorb(pool_.Wait(until));
  }
}

HandlerResult S3ArchiveSink::Handle(const Changes& batch) {
  if (batch.empty() || !batch.front().bootstrap) return PipelinedHandler::Handle(batch);
  if (!nothing_in_flight()) return HandlerResult::Fatal("s3 archive: a bootstrap batch came with changes in flight");
  return SnapshotPart(batch);
}

HandlerResult S3ArchiveSink::SnapshotPart(const Changes& batch) {
  if (snapshot_run_.empty()) {
    snapshot_run_ = SnapshotRunName(now_());
    snapshot_taken_at_ = batch.front().timestamp;
  }
  // The part number moves on only once a part is stored: a retried part overwrites itself.
  HandlerResult result =
      Put(SnapshotPartName(snapshot_run_, snapshot_parts_ + 1), Gzip(EventLines(batch)), "application/gzip");
  if (result.kind == HandlerResult::Kind::kSuccess) {
    ++snapshot_parts_;
    snapshot_rows_ += static_cast<int64_t>(batch.size());
  }
  return result;
}

// One archive holds one log's history. A log set up anew (teardown, then setup: its ids start
// from 1 again) or another database's would interleave two histories under one set of ids, which
// restore and retention read as one: a restore would come back with the old log's rows and
// retention would delete the new log's changes as older than the old log's snapshots. Each schema
// object names its log (log_epoch); an archive whose newest one names another is refused before
// anything is written. Archives written before schema objects named their log are taken as they are.
HandlerResult S3ArchiveSink::CheckArchiveIsOfThisLog(const WatchedSchema& schema) {
  if (schema.log_epoch.empty()) return HandlerResult::Success();
  const std::string& prefix = client_->location().prefix;
  const std::string root = prefix.empty() ? "" : prefix + "/";
  std::vector<std::string> keys;
  if (S3Outcome listed = client_->List(root + "schema/", &keys); !listed.ok()) return ToHandlerResult(listed);
  std::optional<int64_t> newest;
  std::string newest_key;
  for (const std::string& key : keys) {
    const auto position = ParseSchemaObjectName(key.substr(root.size()));
    if (position && (!newest || *position >= *newest)) {
      newest = position;
      newest_key = key;
    }
  }
  if (!newest) return HandlerResult::Success();
  std::string body;
  // Gone between the listing and the read (a retention pass): the next attempt lists again.
  if (S3Outcome got = client_->Get(newest_key, &body); !got.ok()) {
    if (got.kind == S3Outcome::Kind::kNotFound) return HandlerResult::Retry(got.message);
    return ToHandlerResult(got);
  }
  WatchedSchema stored;
  std::string stored_at;
  if (ParseSchemaJson(body, &stored, &stored_at) && !stored.log_epoch.empty() && stored.log_epoch != schema.log_epoch) {
    return HandlerResult::Fatal(
        "s3 archive: it holds the changes of another log (the database's log was set up anew, or it is another "
        "database's archive): archive this database under a new prefix; nothing was written");
  }
  return HandlerResult::Success();
}

HandlerResult S3ArchiveSink::OnSchema(const WatchedSchema& schema) {
  if (!archive_checked_) {
    HandlerResult checked = CheckArchiveIsOfThisLog(schema);
    if (checked.kind != HandlerResult::Kind::kSuccess) return checked;
    archive_checked_ = true;
  }
  // An object never spans a schema change: what came before it goes into objects of its own.
  if (!failing_ && !cutter_.empty()) CutOpenObject();
  return Put(SchemaObjectName(schema.log_position), SchemaJson(schema, Rfc3339(now_(), "%Y-%m-%dT%H:%M:%SZ")),
             "application/json");
}

HandlerResult S3ArchiveSink::OnSnapshotComplete(int64_t log_position) {
  if (snapshot_run_.empty()) {  // an empty database: a snapshot of no rows is still a snapshot
    snapshot_run_ = SnapshotRunName(now_());
    snapshot_taken_at_ = Rfc3339(now_(), "%Y-%m-%dT%H:%M:%SZ");
  }
  const SnapshotManifest manifest{log_position, snapshot_parts_, snapshot_rows_, snapshot_taken_at_};
  HandlerResult result = Put(SnapshotManifestName(snapshot_run_), ManifestJson(manifest), "application/json");
  if (result.kind == HandlerResult::Kind::kSuccess) {
    if (maintainer_) {
      const auto taken = ParseRfc3339Millis(snapshot_taken_at_);
      maintainer_->SnapshotCompleted(
          log_position, taken ? std::chrono::system_clock::time_point(std::chrono::milliseconds(*taken)) : now_());
    }
    snapshot_run_.clear();
    snapshot_parts_ = 0;
    snapshot_rows_ = 0;
  }
  return result;
}

}  // namespace sqlite_cdc::sinks
