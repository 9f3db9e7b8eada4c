// Graceful restart, restarting speaker (RFC 4724 §4.1): selection waits for the
// End-of-RIB of every graceful-restart peer (and for the session of each one
// configured), or for the deferral deadline.
#include "rib/selection_deferral.hpp"

#include <doctest/doctest.h>

#include <chrono>

using namespace petrel;
using namespace petrel::rib;
using petrel::bgp::wire::Family;
using namespace std::chrono_literals;

TEST_CASE("a cold start does not defer") {
  SelectionDeferral d;
  d.expect(1, Family::ipv4_unicast);
  CHECK_FALSE(d.deferring(TimePoint{}));
}

TEST_CASE("deferral ends when every expected End-of-RIB arrived, not before") {
  const TimePoint t0 = TimePoint{} + 1h;
  SelectionDeferral d(t0 + 120s);
  CHECK(d.deferring(t0));  // no peer up yet: keep waiting (until the deadline)
  d.expect(1, Family::ipv4_unicast);
  d.expect(1, Family::ipv6_unicast);
  d.expect(2, Family::ipv4_unicast);
  d.end_of_rib(1, Family::ipv4_unicast);
  d.end_of_rib(2, Family::ipv4_unicast);
  CHECK(d.deferring(t0 + 1s));
  CHECK(d.outstanding() == 1);
  d.end_of_rib(1, Family::ipv6_unicast);
  CHECK_FALSE(d.deferring(t0 + 2s));
  CHECK(d.waited_for_all());
  // Released for good: a peer coming up later does not defer again.
  d.expect(3, Family::ipv4_unicast);
  CHECK_FALSE(d.deferring(t0 + 3s));
}

TEST_CASE("a peer that goes down is not waited for; the deadline ends deferral anyway") {
  const TimePoint t0 = TimePoint{} + 1h;
  SelectionDeferral d(t0 + 120s);
  d.expect(1, Family::ipv4_unicast);
  d.expect(2, Family::ipv4_unicast);
  d.end_of_rib(1, Family::ipv4_unicast);
  d.forget(2);
  CHECK_FALSE(d.deferring(t0));
  CHECK(d.waited_for_all());

  SelectionDeferral late(t0 + 120s);
  late.expect(1, Family::ipv4_unicast);
  CHECK(late.deferring(t0 + 119s));
  CHECK_FALSE(late.deferring(t0 + 120s));
  CHECK_FALSE(late.waited_for_all());
}

TEST_CASE("a configured peer whose session is not up yet is waited for, until it comes or the deadline") {
  const TimePoint t0 = TimePoint{} + 1h;
  // tor comes up at once and sends End-of-RIB; mesh is configured but its session
  // takes a while (its speaker was still in IdleHold after our restart).
  SelectionDeferral d(t0 + 120s);
  d.expect_session("tor");
  d.expect_session("mesh");
  d.expect(1, Family::ipv4_unicast);
  d.session_settled("tor");
  d.end_of_rib(1, Family::ipv4_unicast);
  CHECK(d.deferring(t0 + 1s));  // not released by tor's End-of-RIB alone
  CHECK(d.sessions_outstanding() == 1);
  d.expect(2, Family::ipv4_unicast);
  d.session_settled("mesh");
  CHECK(d.deferring(t0 + 2s));  // mesh is up: now its End-of-RIB
  d.end_of_rib(2, Family::ipv4_unicast);
  CHECK_FALSE(d.deferring(t0 + 3s));
  CHECK(d.waited_for_all());

  // A peer that comes up without graceful restart is not waited for any more.
  SelectionDeferral plain(t0 + 120s);
  plain.expect_session("tor");
  plain.expect_session("old");
  plain.expect(1, Family::ipv4_unicast);
  plain.session_settled("tor");
  plain.end_of_rib(1, Family::ipv4_unicast);
  plain.session_settled("old");  // up, no graceful restart: nothing expected of it
  CHECK_FALSE(plain.deferring(t0 + 1s));
  CHECK(plain.waited_for_all());

  // A peer that never comes: the deadline.
  SelectionDeferral never(t0 + 120s);
  never.expect_session("gone");
  CHECK(never.deferring(t0 + 119s));
  CHECK_FALSE(never.deferring(t0 + 120s));
  CHECK_FALSE(never.waited_for_all());

  // Unknown names and a cold start change nothing.
  SelectionDeferral cold;
  cold.expect_session("x");
  CHECK_FALSE(cold.deferring(t0));
  never.session_settled("no-such-peer");
}

TEST_CASE("nobody to wait for: released at the next decision, not at the deadline") {
  const TimePoint t0 = TimePoint{} + 1h;
  SelectionDeferral d(t0 + 120s);
  CHECK(d.deferring(t0));  // nothing expected yet: waits (peers may come)
  d.expect_nothing();
  CHECK_FALSE(d.deferring(t0 + 1s));
  CHECK(d.waited_for_all());
  // A configured peer's session still expected: that one is waited for.
  SelectionDeferral e(t0 + 120s);
  e.expect_session("tor");
  e.expect_nothing();
  CHECK(e.deferring(t0));
  e.session_settled("tor");
  CHECK_FALSE(e.deferring(t0 + 1s));
}
