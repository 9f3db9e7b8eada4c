// core/clock.hpp — the time source, injected so that pure code never reads a clock.
//
// Clock is an interface over a monotonic time point. SteadyClock reads
// std::chrono::steady_clock; ManualClock is advanced by tests and never moves on
// its own. Neither is thread-safe: each belongs to the thread that owns it.
#pragma once

#include <chrono>

namespace petrel {

using Duration = std::chrono::steady_clock::duration;
using TimePoint = std::chrono::steady_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SteadyClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::steady_clock::now(); }
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start = TimePoint{} + std::chrono::hours(1)) : now_(start) {}
  TimePoint now() const override { return now_; }
  void advance(Duration d) { now_ += d; }
  void set(TimePoint t) { now_ = t; }

 private:
  TimePoint now_;
};

}  // namespace petrel
