// k8s/backoff.hpp — jittered exponential backoff for reconnecting to the API server.
//
// Each next() doubles the base delay up to `max` and returns a delay drawn
// uniformly from [base/2, base] ("equal jitter"), so that many nodes that lost the
// API server at the same moment do not come back in lockstep (client-go's
// wait.Backoff does the same with its Jitter factor). reset() after a success.
// Pure: the random generator is seeded by the caller; no clock.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>

#include "core/clock.hpp"

namespace petrel::k8s {

class Backoff {
 public:
  Backoff(Duration initial, Duration max, uint64_t seed) : initial_(initial), max_(max), base_(initial), rng_(seed) {}

  Duration next() {
    const Duration d = base_;
    base_ = std::min<Duration>(base_ * 2, max_);
    const auto half = d.count() / 2;
    std::uniform_int_distribution<Duration::rep> pick(half, std::max<Duration::rep>(half, d.count()));
    return Duration(pick(rng_));
  }
  void reset() { base_ = initial_; }
  Duration base() const { return base_; }

 private:
  Duration initial_;
  Duration max_;
  Duration base_;
  std::mt19937_64 rng_;
};

}  // namespace petrel::k8s
