#include "stop_on_signals.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <ctime>

namespace sqlite_cdc::cli {
namespace {

sigset_t StopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

StopOnSignals::StopOnSignals(Engine& engine) : thread_([this, &engine] { Run(engine); }) {}

StopOnSignals::~StopOnSignals() {
  done_ = true;
  thread_.join();
}

void StopOnSignals::BlockInThisAndNewThreads() {
  sigset_t set = StopSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void StopOnSignals::Run(Engine& engine) {
  const sigset_t set = StopSignals();
  const timespec tick{0, 100'000'000};
  while (!done_) {
    const int signal = sigtimedwait(&set, nullptr, &tick);
    if (signal == SIGINT || signal == SIGTERM) {
      spdlog::info("received {}, stopping after the batch in flight", signal == SIGINT ? "SIGINT" : "SIGTERM");
      int none = 0;
      received_.compare_exchange_strong(none, signal);
      engine.Stop();
    }
  }
}

}  // namespace sqlite_cdc::cli
