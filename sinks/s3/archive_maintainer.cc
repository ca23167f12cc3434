#include "sinks/s3/archive_maintainer.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "sinks/s3/archive_layout.h"
#include "sinks/s3/gzip.h"
#include "sqlite_cdc/restore.h"

namespace sqlite_cdc::sinks {
namespace {

using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr int kAttempts = 5;
constexpr auto kSurveyRetry = std::chrono::seconds(30);
constexpr auto kSnapshotRetry = std::chrono::minutes(1);

std::optional<std::chrono::system_clock::time_point> TimeOf(const std::string& rfc3339) {
  const auto millis = ParseRfc3339Millis(rfc3339);
  if (!millis) return std::nullopt;
  return std::chrono::system_clock::time_point(milliseconds(*millis));
}

}  // namespace

ArchiveMaintainer::ArchiveMaintainer(std::unique_ptr<S3Client> client, ArchiveMaintenanceOptions options, Clock now)
    : client_(std::move(client)),
      options_(options),
      now_(std::move(now)),
      root_(client_->location().prefix.empty() ? "" : client_->location().prefix + "/") {
  // The thread starts with every signal blocked, so that a program's SIGINT/SIGTERM handling (a
  // thread waiting for them, as the CLI has) is never bypassed by a signal landing on it.
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &previous);
  thread_ = std::thread([this] { Run(); });
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

ArchiveMaintainer::~ArchiveMaintainer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

bool ArchiveMaintainer::stopping() {
  std::lock_guard lock(mutex_);
  return stopping_;
}

bool ArchiveMaintainer::SnapshotDue(int64_t last_sent_id) {
  std::lock_guard lock(mutex_);
  if (options_.snapshot_interval.count() <= 0 || !surveyed_ || storing_ || stopping_) return false;
  if (next_snapshot_ && now_() < *next_snapshot_) return false;
  return !newest_position_ || last_sent_id > *newest_position_;
}

void ArchiveMaintainer::Store(std::unique_ptr<StreamSnapshot> snapshot) {
  {
    std::lock_guard lock(mutex_);
    pending_ = std::move(snapshot);
    storing_ = true;
  }
  wake_.notify_all();
}

void ArchiveMaintainer::SnapshotCompleted(int64_t log_position, std::chrono::system_clock::time_point taken) {
  {
    std::lock_guard lock(mutex_);
    NoteSnapshot(log_position, taken);
    pass_wanted_ = true;
  }
  wake_.notify_all();
}

// REQUIRES: mutex_ held.
void ArchiveMaintainer::NoteSnapshot(int64_t log_position, std::chrono::system_clock::time_point taken) {
  newest_position_ = std::max(newest_position_.value_or(log_position), log_position);
  const auto next = taken + options_.snapshot_interval;
  next_snapshot_ = next_snapshot_ ? std::max(*next_snapshot_, next) : next;
}

void ArchiveMaintainer::Run() {
  const bool retention = options_.retention.count() > 0;
  auto next_pass = SteadyClock::now();  // a pass at start
  for (;;) {
    std::unique_ptr<StreamSnapshot> snapshot;
    bool survey = false, pass = false;
    {
      std::unique_lock lock(mutex_);
      for (;;) {
        if (stopping_) return;
        if (pending_) {
          snapshot = std::move(pending_);
          break;
        }
        if (!surveyed_) {
          survey = true;
          break;
        }
        if (retention && (pass_wanted_ || SteadyClock::now() >= next_pass)) {
          pass = true;
          pass_wanted_ = false;
          break;
        }
        wake_.wait_until(lock, retention ? next_pass : SteadyClock::now() + std::chrono::hours(24));
      }
    }
    if (survey) {
      ArchiveContents contents;
      if (!Survey(&contents)) {
        std::unique_lock lock(mutex_);
        wake_.wait_for(lock, kSurveyRetry, [&] { return stopping_; });
        continue;
      }
      std::lock_guard lock(mutex_);
      for (const auto& found : contents.snapshots) {
        const auto taken = TimeOf(found.taken_at);
        if (found.usable() && taken) NoteSnapshot(found.log_position, *taken);
      }
      if (!next_snapshot_) next_snapshot_ = now_();  // none yet: the first one now
      surveyed_ = true;
      continue;
    }
    if (snapshot) {
      const bool stored = Upload(*snapshot);
      std::lock_guard lock(mutex_);
      storing_ = false;
      if (stored) {
        if (const auto taken = TimeOf(snapshot->taken_at())) NoteSnapshot(snapshot->log_position(), *taken);
        pass_wanted_ = true;
      } else {
        next_snapshot_ =
            now_() + std::min<std::chrono::system_clock::duration>(kSnapshotRetry, options_.snapshot_interval);
      }
      continue;
    }
    if (pass) {
      RetentionPass();
      next_pass = SteadyClock::now() + options_.retention_check;
    }
  }
}

bool ArchiveMaintainer::WithRetries(const std::string& what, const std::function<S3Outcome()>& request) {
  for (int attempt = 1;; ++attempt) {
    const S3Outcome outcome = request();
    if (outcome.ok()) return true;
    if (outcome.kind != S3Outcome::Kind::kRetry || attempt == kAttempts) {
      spdlog::warn("s3 archive: {}: {}", what, outcome.message);
      return false;
    }
    std::unique_lock lock(mutex_);
    if (wake_.wait_for(lock, milliseconds(200 << attempt), [&] { return stopping_; })) return false;
  }
}

bool ArchiveMaintainer::Survey(ArchiveContents* contents) {
  std::vector<S3Object> listed;
  if (!WithRetries("list the archive", [&] { return client_->List(root_, &listed, [this] { return stopping(); }); })) {
    return false;
  }
  if (const auto store_time = client_->store_time()) {
    // Rounded up: the Date header has whole seconds, and the window must not start early by one.
    contents->store_time_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(store_time->time_since_epoch()).count() + 999;
  }
  const auto read = [&](const std::string& key, std::string** body) {
    auto [cached, missing] = read_cache_.try_emplace(key);
    *body = &cached->second;
    if (!missing) return true;
    if (WithRetries("read " + key, [&] { return client_->Get(key, &cached->second); })) return true;
    read_cache_.erase(cached);
    return false;
  };
  std::map<std::string, ArchiveContents::Snapshot> snapshots;  // by run
  for (const S3Object& object : listed) {
    if (stopping()) return false;
    const std::string name = object.key.substr(root_.size());
    std::string* body = nullptr;
    if (const auto range = ParseChangesObjectName(name)) {
      contents->changes.push_back({name, range->first, range->second});
    } else if (const auto position = ParseSchemaObjectName(name)) {
      if (!read(object.key, &body)) return false;
      WatchedSchema schema;
      std::string stored_at;
      // A schema object it cannot read is left out of the plan, so it is never deleted.
      if (ParseSchemaJson(*body, &schema, &stored_at)) contents->schemas.push_back({name, *position, stored_at});
    } else if (const auto run = ParseSnapshotManifestName(name)) {
      if (!read(object.key, &body)) return false;
      SnapshotManifest manifest;
      ArchiveContents::Snapshot& snapshot = snapshots[*run];
      if (!ParseManifestJson(*body, &manifest)) {
        snapshot.damaged_manifest = true;
        continue;
      }
      snapshot.complete = true;
      snapshot.log_position = manifest.log_position;
      snapshot.taken_at = manifest.taken_at;
      snapshot.parts_expected = manifest.parts;
    } else if (name.rfind("snapshots/", 0) == 0 && name.find("/part-") != std::string::npos) {
      snapshots[name.substr(10, name.find('/', 10) - 10)].parts.push_back(name);
    }
  }
  for (auto& [run, snapshot] : snapshots) {
    snapshot.run = run;
    contents->snapshots.push_back(std::move(snapshot));
  }
  return true;
}

void ArchiveMaintainer::RetentionPass() {
  ArchiveContents contents;
  if (!Survey(&contents)) return;
  const RetentionPlan plan = PlanRetention(contents, now_(), options_.retention);
  if (plan.deletions.empty()) return;
  size_t done = 0;
  for (const std::string& name : plan.deletions) {
    const std::string key = root_ + name;
    if (stopping() || !WithRetries("retention: delete " + key, [&] { return client_->Delete(key); })) {
      spdlog::warn("s3 retention: stopped after {} of {} deletions; the next pass goes on", done,
                   plan.deletions.size());
      return;
    }
    read_cache_.erase(key);
    ++done;
  }
  spdlog::info(
      "s3 retention: deleted {} change objects, {} snapshots and {} schema objects from before snapshot {} (log id "
      "{}, taken {})",
      plan.changes_deleted, plan.snapshots_deleted, plan.schemas_deleted, plan.base_run, plan.base_position,
      plan.base_taken_at);
}

bool ArchiveMaintainer::Upload(StreamSnapshot& snapshot) {
  const auto started = SteadyClock::now();
  const std::string run = SnapshotRunName(now_());
  std::string lines;
  size_t in_part = 0;
  int parts = 0;
  int64_t rows = 0;
  const auto store_part = [&] {
    const std::string key = root_ + SnapshotPartName(run, ++parts);
    const std::string body = Gzip(lines);
    lines.clear();
    in_part = 0;
    return WithRetries("snapshot: put " + key, [&] { return client_->Put(key, body, "application/gzip"); });
  };
  Changes batch;
  for (;;) {
    if (stopping()) return false;
    if (Status status = snapshot.Next(1000, &batch); !status.ok()) {
      spdlog::warn("s3 archive: snapshot {}: {}", run, status.ToString());
      return false;
    }
    if (batch.empty()) break;
    lines += EventLines(batch);
    in_part += batch.size();
    rows += static_cast<int64_t>(batch.size());
    if ((in_part >= options_.part_changes || lines.size() >= options_.part_bytes) && !store_part()) return false;
  }
  if (in_part > 0 && !store_part()) return false;
  if (stopping()) return false;
  const std::string manifest = root_ + SnapshotManifestName(run);
  const std::string body = ManifestJson({snapshot.log_position(), parts, rows, snapshot.taken_at()});
  if (!WithRetries("snapshot: put " + manifest, [&] { return client_->Put(manifest, body, "application/json"); })) {
    return false;
  }
  spdlog::info("s3 archive: snapshot {} of {} rows at log id {} stored in {} parts in {} ms", run, rows,
               snapshot.log_position(), parts,
               std::chrono::duration_cast<milliseconds>(SteadyClock::now() - started).count());
  return true;
}

}  // namespace sqlite_cdc::sinks
