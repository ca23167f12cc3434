#include "sinks/s3/put_worker_pool.h"

#include <pthread.h>
#include <signal.h>

#include <utility>

#include "sinks/s3/gzip.h"

namespace sqlite_cdc::sinks {

PutWorkerPool::PutWorkerPool(int workers, const ClientFactory& make_client) {
  for (int i = 0; i < workers; ++i) clients_.push_back(make_client());
  // The workers start with every signal blocked, so that a program's SIGINT/SIGTERM handling (a
  // thread waiting for them, as the CLI has) is never bypassed by a signal landing on a worker.
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &previous);
  for (auto& client : clients_) threads_.emplace_back([this, &client] { Work(*client); });
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

PutWorkerPool::~PutWorkerPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  work_ready_.notify_all();
  for (std::thread& thread : threads_) thread.join();
}

void PutWorkerPool::Submit(PutJob job) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(job));
  }
  work_ready_.notify_one();
}

std::vector<PutResult> PutWorkerPool::Wait(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  result_ready_.wait_until(lock, deadline, [this] { return !finished_.empty(); });
  return std::exchange(finished_, {});
}

void PutWorkerPool::CancelQueued() {
  std::lock_guard lock(mutex_);
  queue_.clear();
}

bool PutWorkerPool::idle() const {
  std::lock_guard lock(mutex_);
  return queue_.empty() && running_ == 0;
}

void PutWorkerPool::Work(S3Client& client) {
  std::unique_lock lock(mutex_);
  for (;;) {
    work_ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    PutJob job = std::move(queue_.front());
    queue_.pop_front();
    ++running_;
    lock.unlock();
    PutResult result{job.sequence, client.Put(client.location().Key(job.name), Gzip(job.lines), "application/gzip")};
    lock.lock();
    --running_;
    finished_.push_back(std::move(result));
    result_ready_.notify_all();
  }
}

}  // namespace sqlite_cdc::sinks
