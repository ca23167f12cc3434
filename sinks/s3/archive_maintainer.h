#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "sinks/s3/retention_plan.h"
#include "sinks/s3/s3_client.h"
#include "sqlite_cdc/stream_snapshot.h"

namespace sqlite_cdc::sinks {

// The S3 archive over months: periodic snapshots and retention (--s3-snapshot-interval,
// --s3-retention). Zero turns either off.
struct ArchiveMaintenanceOptions {
  std::chrono::milliseconds snapshot_interval{0};
  std::chrono::milliseconds retention{0};
  // Retention passes run at start, after each snapshot completes, and at least this often.
  std::chrono::milliseconds retention_check{std::chrono::hours(1)};
  size_t part_changes = 10000;           // a snapshot part is cut at this many rows
  size_t part_bytes = size_t{16} << 20;  // or this size of its event lines, before gzip
};

// One background thread with a connection of its own that stores periodic snapshots and runs
// retention passes, so that neither holds up the change stream. It first lists the archive to
// learn when the newest snapshot was taken. A snapshot is stored part by part, complete.json last;
// a retention pass deletes what PlanRetention decides, in its order, and only from a listing in
// which the newer snapshot was complete. Requests are retried a few times; a snapshot that still
// fails is given up (its parts stay, without complete.json, until a later pass deletes them) and
// taken again a minute later; a failed pass is run again at the next occasion. Neither stops the
// engine: the change stream does not depend on them.
//
// SnapshotDue, Store and SnapshotCompleted are called from the engine's thread. The destructor cuts
// a snapshot or a pass short between two requests (each bounded by the client's timeout); what it
// leaves is what a crash there would leave, which restore and the next pass handle.
class ArchiveMaintainer {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  ArchiveMaintainer(std::unique_ptr<S3Client> client, ArchiveMaintenanceOptions options, Clock now);
  ArchiveMaintainer(const ArchiveMaintainer&) = delete;
  ArchiveMaintainer& operator=(const ArchiveMaintainer&) = delete;
  ~ArchiveMaintainer();

  // A periodic snapshot is wanted now: the interval has passed since the newest one (or the archive
  // has none), none is being stored, and the log has moved past the newest one's position
  // (`last_sent_id`, the last change id the sink was sent; 0 for none).
  bool SnapshotDue(int64_t last_sent_id);
  // Takes a snapshot to store in the background.
  void Store(std::unique_ptr<StreamSnapshot> snapshot);
  // A snapshot was completed by other means (a --bootstrap): the next is due an interval after it,
  // and a retention pass follows.
  void SnapshotCompleted(int64_t log_position, std::chrono::system_clock::time_point taken);

 private:
  void Run();
  // Lists the archive into `contents`, reading each complete.json and schema object once (they
  // never change, so what was read is kept by key). False when stopped or failing.
  bool Survey(ArchiveContents* contents);
  void NoteSnapshot(int64_t log_position, std::chrono::system_clock::time_point taken);
  void RetentionPass();
  bool Upload(StreamSnapshot& snapshot);
  // Runs `request` until it succeeds, fails for good, or the maintainer stops; false unless it succeeded.
  bool WithRetries(const std::string& what, const std::function<S3Outcome()>& request);
  bool stopping();

  std::unique_ptr<S3Client> client_;
  ArchiveMaintenanceOptions options_;
  Clock now_;
  std::string root_;                               // the prefix with its '/', or ""
  std::map<std::string, std::string> read_cache_;  // key -> body of immutable small objects

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool surveyed_ = false;  // the first listing is done: the schedule is known
  std::optional<int64_t> newest_position_;
  std::optional<std::chrono::system_clock::time_point> next_snapshot_;
  std::unique_ptr<StreamSnapshot> pending_;
  bool storing_ = false;  // a snapshot is pending or being stored
  bool pass_wanted_ = false;
  std::thread thread_;  // last: started after everything it uses exists
};

}  // namespace sqlite_cdc::sinks
