// Jittered exponential backoff.
#include "k8s/backoff.hpp"

#include <doctest/doctest.h>

#include <chrono>

using namespace petrel;
using namespace petrel::k8s;
using std::chrono::milliseconds;

TEST_CASE("delays double up to the maximum, each drawn from [base/2, base]") {
  Backoff b(milliseconds(100), milliseconds(1000), 42);
  const milliseconds bases[] = {milliseconds(100), milliseconds(200), milliseconds(400), milliseconds(800),
                                milliseconds(1000), milliseconds(1000)};
  for (auto base : bases) {
    CAPTURE(base.count());
    const Duration d = b.next();
    CHECK(d >= Duration(base) / 2);
    CHECK(d <= Duration(base));
  }
  b.reset();
  CHECK(b.base() == Duration(milliseconds(100)));
  CHECK(b.next() <= Duration(milliseconds(100)));
}

TEST_CASE("two generators with different seeds do not move in lockstep") {
  Backoff a(milliseconds(1000), milliseconds(30000), 1);
  Backoff b(milliseconds(1000), milliseconds(30000), 2);
  int same = 0;
  for (int i = 0; i < 8; ++i) same += a.next() == b.next();
  CHECK(same < 8);
}
