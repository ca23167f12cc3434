#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace sqlite_cdc::internal {

// Exponential backoff with equal jitter: the delay before retry n (1-based) is uniform in
// [base/2, base] where base = min(max, initial * 2^(n-1)); half of it is fixed, so a retry never
// follows at once (full jitter would draw from [0, base]). Seeded, so tests are repeatable.
class Backoff {
 public:
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max, uint64_t seed);
  std::chrono::milliseconds Delay(int retry);

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  std::mt19937_64 random_;
};

}  // namespace sqlite_cdc::internal
