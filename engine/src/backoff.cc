#include "backoff.h"

#include <algorithm>

namespace sqlite_cdc::internal {

Backoff::Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max, uint64_t seed)
    : initial_(initial), max_(std::max(initial, max)), random_(seed) {}

std::chrono::milliseconds Backoff::Delay(int retry) {
  int64_t base = initial_.count();
  for (int i = 1; i < retry && base < max_.count(); ++i) base *= 2;
  base = std::min<int64_t>(base, max_.count());
  std::uniform_int_distribution<int64_t> equal_jitter(base / 2, base);
  return std::chrono::milliseconds(equal_jitter(random_));
}

}  // namespace sqlite_cdc::internal
