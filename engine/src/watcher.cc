// The only translation unit of the engine that includes Boost.Asio.
#include "watcher.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>
#include <set>

namespace sqlite_cdc::internal {

namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {
constexpr int kLongestSettleMs = 64;
// One wait of a Sleep at most, so that a deadline far away never overflows the env's clock.
constexpr milliseconds kLongestTimedWait = std::chrono::hours(1);
}  // namespace

class Watcher::Impl {
 public:
  Impl(const std::string& db_path, milliseconds poll_interval, bool use_inotify, Env* env, InfoLog log)
      : poll_interval_(poll_interval), env_(env), log_(log) {
    if (use_inotify) OpenInotify(db_path);
  }

  Watcher::Wake Wait(milliseconds at_most) {
    const bool settling = settle_ms_ > 0;
    const milliseconds due = settling ? milliseconds(settle_ms_) : poll_interval_;
    const bool cut_short = at_most < due;
    const Outcome outcome = WaitFor(std::max(milliseconds(0), std::min(due, at_most)));
    if (outcome == Outcome::kStopped || stopped_) return Wake::kStopped;
    if (outcome == Outcome::kFileEvent) {
      settle_ms_ = 1;
      return Wake::kLook;
    }
    if (cut_short) return Wake::kDeadline;  // the settle re-read or poll is still to come
    if (settling) settle_ms_ = settle_ms_ * 2 > kLongestSettleMs ? 0 : settle_ms_ * 2;
    return Wake::kLook;
  }

  bool Sleep(milliseconds delay) {
    std::unique_lock lock(sleep_mutex_);
    const Env::Clock::time_point start = env_->Now();
    const Env::Clock::time_point deadline =
        delay < Env::Clock::time_point::max() - start ? start + delay : Env::Clock::time_point::max();
    for (auto now = start; !stopped_ && now < deadline; now = env_->Now()) {
      env_->TimedWait(sleep_woken_, lock, std::min(std::chrono::ceil<milliseconds>(deadline - now), kLongestTimedWait));
    }
    return !stopped_;
  }

  void Stop() {
    {
      std::lock_guard lock(sleep_mutex_);  // a Sleep between its check and its wait sees the notify
      stopped_ = true;
    }
    sleep_woken_.notify_all();
    asio::post(io_, [] {});
  }

  bool stopped() const { return stopped_; }
  bool inotify_active() const { return inotify_.is_open(); }

 private:
  enum class Outcome { kTimer, kFileEvent, kStopped };

  void OpenInotify(const std::string& db_path) {
    const std::filesystem::path path = std::filesystem::absolute(db_path);
    const std::string base = path.filename().string();
    names_ = {base, base + "-wal", base + "-journal"};
    const int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) {
      log_.Warn("inotify unavailable ({}); polling every {} ms", std::strerror(errno), poll_interval_.count());
      return;
    }
    if (inotify_add_watch(fd, path.parent_path().c_str(), IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE) < 0) {
      log_.Warn("cannot watch {} ({}); polling every {} ms", path.parent_path().string(), std::strerror(errno),
                poll_interval_.count());
      ::close(fd);
      return;
    }
    inotify_.assign(fd);
  }

  // Reads every queued event; true if one concerns the database's files.
  bool ConsumeEvents() {
    alignas(inotify_event) char buffer[16384];
    bool relevant = false;
    for (;;) {
      const ssize_t n = ::read(inotify_.native_handle(), buffer, sizeof buffer);
      if (n <= 0) break;
      for (ssize_t at = 0; at < n;) {
        const auto* event = reinterpret_cast<const inotify_event*>(buffer + at);
        if (event->len > 0 && names_.count(event->name)) relevant = true;
        if (event->mask & IN_Q_OVERFLOW) relevant = true;
        at += sizeof(inotify_event) + event->len;
      }
    }
    return relevant;
  }

  void ArmInotify(Outcome& outcome) {
    inotify_.async_wait(asio::posix::descriptor::wait_read, [this, &outcome](const boost::system::error_code& error) {
      if (error) return;
      if (ConsumeEvents()) {
        outcome = Outcome::kFileEvent;
      } else {
        ArmInotify(outcome);
      }
    });
  }

  Outcome WaitFor(milliseconds timeout) {
    if (stopped_) return Outcome::kStopped;
    std::optional<Outcome> done;
    Outcome file_outcome = Outcome::kStopped;
    timer_.expires_after(timeout);
    timer_.async_wait([&done](const boost::system::error_code& error) {
      if (!error) done = Outcome::kTimer;
    });
    if (inotify_.is_open()) ArmInotify(file_outcome);
    io_.restart();
    while (!done && file_outcome != Outcome::kFileEvent && !stopped_) io_.run_one();
    timer_.cancel();
    if (inotify_.is_open()) inotify_.cancel();
    io_.restart();
    io_.poll();  // let the cancelled handlers run before their captured locals go away
    if (stopped_) return Outcome::kStopped;
    return file_outcome == Outcome::kFileEvent ? Outcome::kFileEvent : Outcome::kTimer;
  }

  asio::io_context io_;
  asio::posix::stream_descriptor inotify_{io_};
  asio::steady_timer timer_{io_};
  std::set<std::string> names_;
  milliseconds poll_interval_;
  Env* env_;
  InfoLog log_;
  int settle_ms_ = 0;
  std::atomic<bool> stopped_{false};
  std::mutex sleep_mutex_;
  std::condition_variable sleep_woken_;
};

Watcher::Watcher(const std::string& db_path, milliseconds poll_interval, bool use_inotify, Env* env, InfoLog log)
    : impl_(std::make_unique<Impl>(db_path, poll_interval, use_inotify, env, log)) {}
Watcher::~Watcher() = default;
Watcher::Wake Watcher::Wait(milliseconds at_most) { return impl_->Wait(at_most); }
bool Watcher::Sleep(milliseconds delay) { return impl_->Sleep(delay); }
void Watcher::Stop() { impl_->Stop(); }
bool Watcher::stopped() const { return impl_->stopped(); }
bool Watcher::inotify_active() const { return impl_->inotify_active(); }

}  // namespace sqlite_cdc::internal
