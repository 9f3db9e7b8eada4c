#include "core/clock.hpp"

#include <doctest/doctest.h>

TEST_CASE("manual clock moves only when told") {
  petrel::ManualClock clock;
  const auto t0 = clock.now();
  CHECK(clock.now() == t0);
  clock.advance(std::chrono::seconds(3));
  CHECK(clock.now() - t0 == std::chrono::seconds(3));
  const petrel::Clock& as_interface = clock;
  CHECK(as_interface.now() == t0 + std::chrono::seconds(3));
}
