#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "sinks/s3/archive_maintainer.h"
#include "sinks/s3/object_cutter.h"
#include "sinks/s3/put_worker_pool.h"
#include "sinks/s3/s3_client.h"
#include "sinks/s3/s3_sink_options.h"
#include "sqlite_cdc/pipelined_handler.h"

namespace sqlite_cdc::sinks {

// `--output s3://...`: change batches grouped into gzipped NDJSON objects named by their id range,
// the schema whenever it changes, and bootstrap snapshots with a manifest written last
// (archive_layout.h).
//
// Sent batches go into an open object, cut when its interval has passed since its first batch, when
// it reaches a size bound, on Poll(flush) and before a schema change; cut objects are stored by up to
// `puts_in_flight` PUTs at once. A batch is confirmed once its object and every earlier one are
// stored. When a PUT fails, Poll reports it after the PUTs still running have finished, and every
// unconfirmed batch is forgotten: the engine sends them again, and the re-cut objects may overlap
// ones already stored, which restore tolerates. An object is written whole or not at all (one PUT).
//
// Bootstrap batches, OnSchema and OnSnapshotComplete are stored synchronously, on a connection of
// their own; a bootstrap batch only with nothing in flight (kFatal otherwise), since a snapshot part
// must be stored exactly once.
//
// With a snapshot interval or a retention, an ArchiveMaintainer on a thread and a connection of its
// own stores the snapshots the engine takes while streaming (SnapshotWanted, TakeSnapshot) and
// deletes what the retention no longer needs.
class S3ArchiveSink : public PipelinedHandler {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  // Called once per PUT worker and once for the synchronous writes; each client is used by one thread.
  using ClientFactory = std::function<std::unique_ptr<S3Client>()>;

  S3ArchiveSink(const ClientFactory& make_client, S3SinkOptions options, Clock now = std::chrono::system_clock::now);

  HandlerResult Send(const Changes& batch) override;
  Confirmations Poll(std::chrono::milliseconds wait, bool flush) override;
  HandlerResult Handle(const Changes& batch) override;
  HandlerResult OnSchema(const WatchedSchema& schema) override;
  HandlerResult OnSnapshotComplete(int64_t log_position) override;
  bool SnapshotWanted() override;
  void TakeSnapshot(std::unique_ptr<StreamSnapshot> snapshot) override;

  // Change objects stored so far (not counting schema and snapshot objects).
  int64_t objects_stored() const { return objects_stored_; }

 private:
  struct ObjectInFlight {
    enum class State { kPending, kStored, kFailed };
    uint64_t sequence = 0;
    size_t batches = 0;
    State state = State::kPending;
    HandlerResult failure;
  };

  // Nothing that a failure could still make the engine send again.
  bool nothing_in_flight() const;
  void Store(CutObject object);
  void CutOpenObject();
  void Absorb(const std::vector<PutResult>& results);
  Confirmations Report();
  HandlerResult SnapshotPart(const Changes& batch);
  HandlerResult Put(const std::string& name, const std::string& body, const std::string& content_type);
  HandlerResult CheckArchiveIsOfThisLog(const WatchedSchema& schema);

  std::unique_ptr<S3Client> client_;  // the synchronous writes'
  Clock now_;
  ObjectCutter cutter_;
  std::deque<ObjectInFlight> objects_;  // cut and not yet reported, in send order
  uint64_t next_sequence_ = 0;
  bool failing_ = false;  // a PUT failed: waiting for the running ones before reporting it
  int64_t objects_stored_ = 0;
  int64_t last_sent_id_ = 0;      // of the last change sent
  bool archive_checked_ = false;  // the archive's newest schema object is of this log

  std::string snapshot_run_;  // set by the first bootstrap batch of a snapshot
  int snapshot_parts_ = 0;    // parts accepted so far
  int64_t snapshot_rows_ = 0;
  std::string snapshot_taken_at_;

  std::unique_ptr<ArchiveMaintainer> maintainer_;  // null when neither is asked for
  PutWorkerPool pool_;                             // last: its workers stop before the rest goes
};

}  // namespace sqlite_cdc::sinks
