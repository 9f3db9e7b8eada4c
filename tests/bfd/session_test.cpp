// tests/bfd/session_test.cpp — the RFC 5880 session state machine with a
// manual clock: the §6.2 state table, the three-way handshake between two
// sessions, Poll/Final, negotiated intervals, detection time, jitter, the slow
// rate while not Up, AdminDown and Demand.
#include "bfd/session.hpp"

#include <doctest/doctest.h>

#include <vector>

#include "core/clock.hpp"

using namespace petrel;
using namespace petrel::bfd;
using namespace std::chrono_literals;

namespace {

SessionSettings fast(uint8_t mult = 3) { return SessionSettings{100ms, 100ms, mult, false}; }

// A packet from the peer: its discriminator 77, addressed to `to`.
ControlPacket from_peer(State s, uint32_t to, uint8_t mult = 3, uint32_t tx_us = 100000, uint32_t rx_us = 100000) {
  ControlPacket p;
  p.state = s;
  p.my_discriminator = 77;
  p.your_discriminator = to;
  p.detect_mult = mult;
  p.desired_min_tx_us = tx_us;
  p.required_min_rx_us = rx_us;
  return p;
}

// Everything `from` sends now reaches `to`, through the codec.
std::vector<Transition> deliver(Session& from, Session& to, TimePoint now) {
  std::vector<Transition> out;
  while (auto p = from.transmit(now)) {
    const auto bytes = encode_control(*p);
    auto decoded = decode_control(bytes);
    REQUIRE(decoded.has_value());
    if (auto t = to.receive(*decoded, now)) out.push_back(*t);
  }
  return out;
}

// Drives two sessions to Up; returns the clock's time then.
void bring_up(Session& a, Session& b, ManualClock& clock) {
  for (int i = 0; i < 50 && !(a.state() == State::up && b.state() == State::up); ++i) {
    deliver(a, b, clock.now());
    deliver(b, a, clock.now());
    clock.advance(10ms);
  }
  REQUIRE(a.state() == State::up);
  REQUIRE(b.state() == State::up);
}

}  // namespace

TEST_CASE("RFC 5880 §6.2: the state table, one row per (state, received state)") {
  struct Row {
    State local, received, expected;
    Diag diag;
  };
  const Row rows[] = {
      {State::down, State::admin_down, State::down, Diag::none},
      {State::down, State::down, State::init, Diag::none},
      {State::down, State::init, State::up, Diag::none},
      {State::down, State::up, State::down, Diag::none},
      {State::init, State::admin_down, State::down, Diag::neighbor_down},
      {State::init, State::down, State::init, Diag::none},
      {State::init, State::init, State::up, Diag::none},
      {State::init, State::up, State::up, Diag::none},
      {State::up, State::admin_down, State::down, Diag::neighbor_down},
      {State::up, State::down, State::down, Diag::neighbor_down},
      {State::up, State::init, State::up, Diag::none},
      {State::up, State::up, State::up, Diag::none},
  };
  for (const Row& row : rows) {
    INFO("local ", to_string(row.local), " receives ", to_string(row.received));
    ManualClock clock;
    Session s(5, fast(), 1, clock.now());
    // Walk to the row's local state with the peer's packets.
    if (row.local == State::init || row.local == State::up) s.receive(from_peer(State::down, 0), clock.now());
    if (row.local == State::up) s.receive(from_peer(State::up, 5), clock.now());
    REQUIRE(s.state() == row.local);
    const uint32_t your = row.received == State::down || row.received == State::admin_down ? 0 : 5;
    const auto t = s.receive(from_peer(row.received, your), clock.now());
    CHECK(s.state() == row.expected);
    CHECK(t.has_value() == (row.expected != row.local));
    if (t) {
      CHECK(t->from == row.local);
      CHECK(t->to == row.expected);
      CHECK(t->diag == row.diag);
      CHECK(t->remote_admin_down == (row.received == State::admin_down));
    }
  }
}

TEST_CASE("two sessions: three-way handshake, slow rate until Up, then a Poll to the fast rate") {
  ManualClock clock;
  Session a(1001, fast(), 11, clock.now());
  Session b(2002, fast(), 22, clock.now());
  // §6.8.3: while not Up, Desired Min TX is at least one second.
  auto first = a.transmit(clock.now());
  REQUIRE(first);
  CHECK(first->state == State::down);
  CHECK(first->desired_min_tx_us == 1000000);
  CHECK(first->required_min_rx_us == 100000);
  CHECK(first->your_discriminator == 0);
  CHECK(first->my_discriminator == 1001);
  CHECK_FALSE(first->poll);
  auto t = b.receive(*first, clock.now());
  REQUIRE(t);
  CHECK(t->to == State::init);
  CHECK(b.remote_discriminator() == 1001);
  CHECK(deliver(b, a, clock.now()).at(0).to == State::up);  // a sees Init: Up
  CHECK(deliver(a, b, clock.now()).at(0).to == State::up);  // b sees Up: Up
  // Going Up changed Desired Min TX: a Poll sequence (§6.8.3), answered with a Final.
  CHECK(a.poll_active());
  CHECK(b.poll_active());
  clock.advance(2s);
  auto poll = a.transmit(clock.now());
  REQUIRE(poll);
  CHECK(poll->poll);
  CHECK(poll->desired_min_tx_us == 100000);
  b.receive(*poll, clock.now());
  auto final = b.transmit(clock.now());
  REQUIRE(final);
  CHECK(final->final);
  CHECK_FALSE(final->poll);  // §6.5: never both
  a.receive(*final, clock.now());
  CHECK_FALSE(a.poll_active());
  CHECK(a.tx_interval() == 100ms);
  CHECK(a.detection_time() == 300ms);  // §6.8.4: 3 × max(100 ms, 100 ms)
}

TEST_CASE("detection time: Down with Diag 1 exactly when it passes, remote discriminator cleared") {
  ManualClock clock;
  Session a(1, fast(), 3, clock.now());
  Session b(2, fast(), 4, clock.now());
  bring_up(a, b, clock);
  clock.advance(1s);
  deliver(a, b, clock.now());
  deliver(b, a, clock.now());  // a's last packet from b: now
  deliver(a, b, clock.now());
  const TimePoint last = clock.now();
  REQUIRE(a.detection_time() == 300ms);
  CHECK(a.next_deadline() <= last + 300ms);
  clock.set(last + 300ms - 1us);
  CHECK_FALSE(a.expire(clock.now()));
  clock.set(last + 300ms);
  auto t = a.expire(clock.now());
  REQUIRE(t);
  CHECK(t->from == State::up);
  CHECK(t->to == State::down);
  CHECK(t->diag == Diag::detection_time_expired);
  CHECK(a.remote_discriminator() == 0);
  // The next packet says so, at the slow rate again.
  auto p = a.transmit(clock.now());
  REQUIRE(p);
  CHECK(p->state == State::down);
  CHECK(p->diag == Diag::detection_time_expired);
  CHECK(p->your_discriminator == 0);
  CHECK(p->desired_min_tx_us == 1000000);
  CHECK_FALSE(a.expire(clock.now() + 10s));  // once
}

TEST_CASE("detection time uses the larger of our RequiredMinRx and the peer's DesiredMinTx, times its multiplier") {
  ManualClock clock;
  Session s(9, fast(), 1, clock.now());
  s.receive(from_peer(State::down, 0, /*mult=*/5, /*tx_us=*/250000), clock.now());
  CHECK(s.detection_time() == 1250ms);
  s.receive(from_peer(State::init, 9, /*mult=*/2, /*tx_us=*/50000), clock.now());
  CHECK(s.detection_time() == 200ms);  // 2 × max(100 ms, 50 ms)
}

TEST_CASE("the transmit interval is the larger of ours and the peer's RequiredMinRx, jittered 75-100 %") {
  for (uint8_t mult : {uint8_t{3}, uint8_t{1}}) {
    INFO("detect mult ", int(mult));
    ManualClock clock;
    Session s(9, fast(mult), 12345, clock.now());
    s.receive(from_peer(State::down, 0, 3, 100000, 400000), clock.now());
    s.receive(from_peer(State::up, 9, 3, 100000, 400000), clock.now());
    REQUIRE(s.state() == State::up);
    CHECK(s.tx_interval() == 400ms);
    std::vector<TimePoint> sent;
    for (int i = 0; i < 100000 && sent.size() < 200; ++i) {
      if (s.transmit(clock.now())) sent.push_back(clock.now());
      s.receive(from_peer(State::up, 9, 3, 100000, 400000), clock.now());  // keep it Up
      clock.advance(1ms);
    }
    REQUIRE(sent.size() == 200);
    Duration lo = Duration::max(), hi = Duration::zero();
    for (std::size_t i = 2; i < sent.size(); ++i) {
      lo = std::min(lo, sent[i] - sent[i - 1]);
      hi = std::max(hi, sent[i] - sent[i - 1]);
    }
    CHECK(lo >= 300ms);                                // 75 %
    CHECK(hi <= (mult == 1 ? 361ms : 401ms));          // 90 % with Detect Mult 1, else 100 % (+1 ms tick)
    CHECK(hi - lo >= 30ms);                            // it does vary
  }
}

TEST_CASE("a Poll is answered at once with a Final, whatever the timer says") {
  ManualClock clock;
  Session s(9, fast(), 1, clock.now());
  REQUIRE(s.transmit(clock.now()));  // the periodic one, now spent
  CHECK_FALSE(s.transmit(clock.now()));
  ControlPacket poll = from_peer(State::down, 0);
  poll.poll = true;
  s.receive(poll, clock.now());
  CHECK(s.next_deadline() == TimePoint::min());
  auto f = s.transmit(clock.now());
  REQUIRE(f);
  CHECK(f->final);
  CHECK_FALSE(s.transmit(clock.now()));
}

TEST_CASE("§6.8.3: a slower DesiredMinTx while Up waits for the Final; a faster RequiredMinRx too") {
  ManualClock clock;
  Session a(1, fast(), 3, clock.now());
  Session b(2, fast(), 4, clock.now());
  bring_up(a, b, clock);
  clock.advance(1s);
  deliver(a, b, clock.now());
  deliver(b, a, clock.now());
  deliver(a, b, clock.now());
  REQUIRE_FALSE(a.poll_active());
  a.update(SessionSettings{500ms, 50ms, 3, false}, clock.now());
  CHECK(a.poll_active());
  CHECK(a.tx_interval() == 100ms);     // not yet 500 ms
  CHECK(a.detection_time() == 300ms);  // not yet with 50 ms
  auto p = a.transmit(clock.now());
  REQUIRE(p);
  CHECK(p->poll);
  CHECK(p->desired_min_tx_us == 500000);
  CHECK(p->required_min_rx_us == 50000);
  b.receive(*p, clock.now());
  deliver(b, a, clock.now());  // the Final
  CHECK_FALSE(a.poll_active());
  CHECK(a.tx_interval() == 500ms);
  CHECK(a.detection_time() == 300ms);  // 3 × max(50 ms, b's 100 ms)
}

TEST_CASE("AdminDown: packets say so with Diag 7, received packets change nothing") {
  ManualClock clock;
  Session a(1, fast(), 3, clock.now());
  Session b(2, fast(), 4, clock.now());
  bring_up(a, b, clock);
  auto t = a.admin_down(clock.now());
  REQUIRE(t);
  CHECK(t->to == State::admin_down);
  auto p = a.transmit(clock.now());
  REQUIRE(p);
  CHECK(p->state == State::admin_down);
  CHECK(p->diag == Diag::admin_down);
  auto seen = b.receive(*p, clock.now());
  REQUIRE(seen);
  CHECK(seen->to == State::down);
  CHECK(seen->remote_admin_down);
  CHECK_FALSE(a.receive(from_peer(State::init, 1), clock.now()));
  CHECK(a.state() == State::admin_down);
  CHECK(a.admin_up(clock.now())->to == State::down);
}

TEST_CASE("§6.8.7: no periodic packets to a peer in Demand mode, nor to one that wants none") {
  ManualClock clock;
  Session s(9, fast(), 1, clock.now());
  ControlPacket demand = from_peer(State::down, 0);
  s.receive(demand, clock.now());
  demand.state = State::up;
  demand.your_discriminator = 9;
  demand.demand = true;
  s.receive(demand, clock.now());
  REQUIRE(s.state() == State::up);
  (void)s.transmit(clock.now());  // the state change's packet
  clock.advance(10s);
  CHECK_FALSE(s.transmit(clock.now()));
  Session quiet(8, fast(), 1, clock.now());
  quiet.receive(from_peer(State::down, 0, 3, 100000, /*rx_us=*/0), clock.now());
  clock.advance(10s);
  CHECK_FALSE(quiet.transmit(clock.now()));
}

TEST_CASE("the C bit is sent as configured and the peer's is remembered") {
  ManualClock clock;
  SessionSettings s = fast();
  s.control_plane_independent = true;
  Session a(1, s, 3, clock.now());
  auto p = a.transmit(clock.now());
  REQUIRE(p);
  CHECK(p->control_plane_independent);
  Session b(2, fast(), 4, clock.now());
  b.receive(*p, clock.now());
  CHECK(b.remote_control_plane_independent());
}
