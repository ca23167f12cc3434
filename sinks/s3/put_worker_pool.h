#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "sinks/s3/s3_client.h"

namespace sqlite_cdc::sinks {

// One object to store: gzipped by the worker that takes it, then PUT under the archive's prefix.
struct PutJob {
  uint64_t sequence = 0;  // the caller's name for the job, reported back with its outcome
  std::string name;       // relative to the prefix (archive_layout.h)
  std::string lines;      // the object's content before gzip
};

struct PutResult {
  uint64_t sequence = 0;
  S3Outcome outcome;
};

// Worker threads that each own an S3Client (its HTTP connection is for one thread only) and store
// jobs in the order they were submitted, up to one per worker at a time; they finish in any order.
// Submit, Wait and CancelQueued are called from one thread. The workers run with every signal
// blocked. The destructor drops queued jobs and waits for the running PUTs, each bounded by its
// client's timeout.
class PutWorkerPool {
 public:
  using ClientFactory = std::function<std::unique_ptr<S3Client>()>;

  PutWorkerPool(int workers, const ClientFactory& make_client);
  PutWorkerPool(const PutWorkerPool&) = delete;
  PutWorkerPool& operator=(const PutWorkerPool&) = delete;
  ~PutWorkerPool();

  void Submit(PutJob job);
  // The outcomes of jobs finished since the last call; waits until `deadline` for one when none is.
  std::vector<PutResult> Wait(std::chrono::steady_clock::time_point deadline);
  // Drops the jobs no worker has taken yet; they are never reported.
  void CancelQueued();
  // No job queued or running (finished outcomes may still wait to be taken).
  bool idle() const;

 private:
  void Work(S3Client& client);

  mutable std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable result_ready_;
  std::deque<PutJob> queue_;
  std::vector<PutResult> finished_;
  int running_ = 0;
  bool stopping_ = false;
  std::vector<std::unique_ptr<S3Client>> clients_;
  std::vector<std::thread> threads_;  // last: started after everything they use exists
};

}  // namespace sqlite_cdc::sinks
