#include "sqlite_cdc/env.h"

namespace sqlite_cdc {

namespace {

class RealEnv final : public Env {
 public:
  Clock::time_point Now() override { return Clock::now(); }

  void TimedWait(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                 std::chrono::milliseconds timeout) override {
    cv.wait_for(lock, timeout);
  }
};

}  // namespace

Env* Env::Default() {
  static RealEnv env;  // stateless: sharing it between engines and threads is safe
  return &env;
}

}  // namespace sqlite_cdc
