// The RFC 4271 §8 machine as a table: every (state, event) pair, with the state
// it leads to and the actions it emits. A manual clock, no sockets.
#include "bgp/fsm/fsm.hpp"

#include <doctest/doctest.h>

#include <map>
#include <sstream>

using namespace petrel::bgp;
using namespace petrel::bgp::fsm;
using petrel::ManualClock;

namespace {

SessionSettings settings() {
  SessionSettings s;
  s.local_as = 64512;
  s.router_id = 0x0a00000b;
  s.remote_as = RemoteAs::exact_as(65001);
  s.hold_time = 9;
  s.families = {wire::Family::ipv4_unicast, wire::Family::ipv6_unicast};
  return s;
}

wire::OpenMessage peer_open(uint16_t hold = 9) {
  wire::OpenMessage o;
  o.my_as = 65001;
  o.hold_time = hold;
  o.bgp_identifier = 0x0a000001;
  o.capabilities.multiprotocol = {{1, 1}, {2, 1}};
  o.capabilities.four_octet_as = 65001;
  return o;
}

Event event(EventType t) {
  switch (t) {
    case EventType::bgp_open: return Event::open_received(peer_open());
    case EventType::bgp_header_error: return Event{t, std::nullopt, wire::NotificationMessage{1, 2, {0, 18}}, {}};
    case EventType::bgp_open_message_error: return Event{t, std::nullopt, wire::NotificationMessage{2, 4, {}}, {}};
    case EventType::update_error: return Event{t, std::nullopt, wire::NotificationMessage{3, 11, {}}, {}};
    case EventType::notification_received: return Event::notification_in({6, 2, {}});
    case EventType::manual_stop: return Event::stop("maintenance");
    default: return Event::of(t);
  }
}

// Actions as text: "connect", "notify(4/0)", joined by spaces.
std::string describe(const std::vector<Action>& actions) {
  std::ostringstream out;
  for (const auto& a : actions) {
    if (out.tellp() > 0) out << ' ';
    if (a.type == ActionType::send_notification)
      out << "notify(" << int(a.notification->code) << '/' << int(a.notification->subcode) << ')';
    else
      out << to_string(a.type);
  }
  return out.str();
}

// A machine brought into `target` the way a real session gets there.
Fsm in_state(State target, ManualClock& clock) {
  Fsm f(settings());
  auto step = [&](Event e) { f.on(e, clock.now()); };
  if (target == State::idle) return f;
  step(Event::of(EventType::manual_start));
  if (target == State::connect) return f;
  if (target == State::active) {
    step(Event::of(EventType::tcp_connection_fails));
    return f;
  }
  step(Event::of(EventType::tcp_connection_confirmed));
  if (target == State::open_sent) return f;
  step(Event::open_received(peer_open()));
  if (target == State::open_confirm) return f;
  step(Event::of(EventType::keepalive_received));
  return f;
}

struct Row {
  State to;
  const char* actions;
};

using E = EventType;
using S = State;

// RFC 4271 §8.2.2, with RFC 6608 subcodes (5/1 OpenSent, 5/2 OpenConfirm,
// 5/3 Established) and RFC 9003 Administrative Shutdown for ManualStop.
const std::map<S, std::map<E, Row>> kTable = {
    {S::idle,
     {{E::manual_start, {S::connect, "connect"}},
      {E::manual_stop, {S::idle, ""}},
      {E::automatic_start, {S::idle, ""}},  // never started: nothing to restart
      {E::automatic_stop, {S::idle, ""}},
      {E::connect_retry_timer_expires, {S::idle, ""}},
      {E::hold_timer_expires, {S::idle, ""}},
      {E::keepalive_timer_expires, {S::idle, ""}},
      {E::delay_open_timer_expires, {S::idle, ""}},
      {E::idle_hold_timer_expires, {S::idle, ""}},
      {E::tcp_connection_valid, {S::idle, "disconnect"}},
      {E::tcp_connection_confirmed, {S::idle, "disconnect"}},
      {E::tcp_connection_fails, {S::idle, ""}},
      {E::bgp_open, {S::idle, ""}},
      {E::bgp_header_error, {S::idle, ""}},
      {E::bgp_open_message_error, {S::idle, ""}},
      {E::open_collision_dump, {S::idle, ""}},
      {E::notification_version_error, {S::idle, ""}},
      {E::notification_received, {S::idle, ""}},
      {E::keepalive_received, {S::idle, ""}},
      {E::update_received, {S::idle, ""}},
      {E::update_error, {S::idle, ""}},
      {E::route_refresh_received, {S::idle, ""}},
      {E::message_sent, {S::idle, ""}}}},
    {S::connect,
     {{E::manual_start, {S::connect, ""}},
      {E::manual_stop, {S::idle, "disconnect"}},
      {E::automatic_start, {S::connect, ""}},
      {E::automatic_stop, {S::idle, "disconnect"}},
      {E::connect_retry_timer_expires, {S::connect, "disconnect connect"}},
      {E::hold_timer_expires, {S::idle, "disconnect"}},
      {E::keepalive_timer_expires, {S::idle, "disconnect"}},
      {E::delay_open_timer_expires, {S::open_sent, "send-open"}},
      {E::idle_hold_timer_expires, {S::connect, ""}},
      {E::tcp_connection_valid, {S::open_sent, "send-open"}},
      {E::tcp_connection_confirmed, {S::open_sent, "send-open"}},
      {E::tcp_connection_fails, {S::active, "disconnect"}},
      {E::bgp_open, {S::idle, "disconnect"}},
      {E::bgp_header_error, {S::idle, "notify(1/2) disconnect"}},
      {E::bgp_open_message_error, {S::idle, "notify(2/4) disconnect"}},
      {E::open_collision_dump, {S::idle, "disconnect"}},
      {E::notification_version_error, {S::idle, "disconnect"}},
      {E::notification_received, {S::idle, "disconnect"}},
      {E::keepalive_received, {S::idle, "disconnect"}},
      {E::update_received, {S::idle, "disconnect"}},
      {E::update_error, {S::idle, "disconnect"}},
      {E::route_refresh_received, {S::idle, "disconnect"}},
      {E::message_sent, {S::connect, ""}}}},
    {S::active,
     {{E::manual_start, {S::active, ""}},
      {E::manual_stop, {S::idle, "disconnect"}},
      {E::automatic_start, {S::active, ""}},
      {E::automatic_stop, {S::idle, "disconnect"}},
      {E::connect_retry_timer_expires, {S::connect, "connect"}},
      {E::hold_timer_expires, {S::idle, "disconnect"}},
      {E::keepalive_timer_expires, {S::idle, "disconnect"}},
      {E::delay_open_timer_expires, {S::open_sent, "send-open"}},
      {E::idle_hold_timer_expires, {S::active, ""}},
      {E::tcp_connection_valid, {S::open_sent, "send-open"}},
      {E::tcp_connection_confirmed, {S::open_sent, "send-open"}},
      {E::tcp_connection_fails, {S::active, "disconnect"}},
      {E::bgp_open, {S::idle, "disconnect"}},
      {E::bgp_header_error, {S::idle, "notify(1/2) disconnect"}},
      {E::bgp_open_message_error, {S::idle, "notify(2/4) disconnect"}},
      {E::open_collision_dump, {S::idle, "disconnect"}},
      {E::notification_version_error, {S::idle, "disconnect"}},
      {E::notification_received, {S::idle, "disconnect"}},
      {E::keepalive_received, {S::idle, "disconnect"}},
      {E::update_received, {S::idle, "disconnect"}},
      {E::update_error, {S::idle, "disconnect"}},
      {E::route_refresh_received, {S::idle, "disconnect"}},
      {E::message_sent, {S::active, ""}}}},
    {S::open_sent,
     {{E::manual_start, {S::open_sent, ""}},
      {E::manual_stop, {S::idle, "notify(6/2) disconnect"}},
      {E::automatic_start, {S::open_sent, ""}},
      {E::automatic_stop, {S::idle, "notify(6/8) disconnect"}},
      {E::connect_retry_timer_expires, {S::idle, "notify(5/1) disconnect"}},
      {E::hold_timer_expires, {S::idle, "notify(4/0) disconnect"}},
      {E::keepalive_timer_expires, {S::idle, "notify(5/1) disconnect"}},
      {E::delay_open_timer_expires, {S::idle, "notify(5/1) disconnect"}},
      {E::idle_hold_timer_expires, {S::open_sent, ""}},
      {E::tcp_connection_valid, {S::open_sent, ""}},
      {E::tcp_connection_confirmed, {S::open_sent, ""}},
      {E::tcp_connection_fails, {S::active, "disconnect"}},
      {E::bgp_open, {S::open_confirm, "send-keepalive"}},
      {E::bgp_header_error, {S::idle, "notify(1/2) disconnect"}},
      {E::bgp_open_message_error, {S::idle, "notify(2/4) disconnect"}},
      {E::open_collision_dump, {S::idle, "notify(6/7) disconnect"}},
      {E::notification_version_error, {S::idle, "disconnect"}},
      {E::notification_received, {S::idle, "disconnect"}},
      {E::keepalive_received, {S::idle, "notify(5/1) disconnect"}},
      {E::update_received, {S::idle, "notify(5/1) disconnect"}},
      {E::update_error, {S::idle, "notify(3/11) disconnect"}},
      {E::route_refresh_received, {S::idle, "notify(5/1) disconnect"}},
      {E::message_sent, {S::open_sent, ""}}}},
    {S::open_confirm,
     {{E::manual_start, {S::open_confirm, ""}},
      {E::manual_stop, {S::idle, "notify(6/2) disconnect"}},
      {E::automatic_start, {S::open_confirm, ""}},
      {E::automatic_stop, {S::idle, "notify(6/8) disconnect"}},
      {E::connect_retry_timer_expires, {S::idle, "notify(5/2) disconnect"}},
      {E::hold_timer_expires, {S::idle, "notify(4/0) disconnect"}},
      {E::keepalive_timer_expires, {S::open_confirm, "send-keepalive"}},
      {E::delay_open_timer_expires, {S::idle, "notify(5/2) disconnect"}},
      {E::idle_hold_timer_expires, {S::open_confirm, ""}},
      {E::tcp_connection_valid, {S::open_confirm, ""}},
      {E::tcp_connection_confirmed, {S::open_confirm, ""}},
      {E::tcp_connection_fails, {S::idle, "disconnect"}},
      {E::bgp_open, {S::idle, "notify(5/2) disconnect"}},
      {E::bgp_header_error, {S::idle, "notify(1/2) disconnect"}},
      {E::bgp_open_message_error, {S::idle, "notify(2/4) disconnect"}},
      {E::open_collision_dump, {S::idle, "notify(6/7) disconnect"}},
      {E::notification_version_error, {S::idle, "disconnect"}},
      {E::notification_received, {S::idle, "disconnect"}},
      {E::keepalive_received, {S::established, "established"}},
      {E::update_received, {S::idle, "notify(5/2) disconnect"}},
      {E::update_error, {S::idle, "notify(3/11) disconnect"}},
      {E::route_refresh_received, {S::idle, "notify(5/2) disconnect"}},
      {E::message_sent, {S::open_confirm, ""}}}},
    {S::established,
     {{E::manual_start, {S::established, ""}},
      {E::manual_stop, {S::idle, "notify(6/2) disconnect down"}},
      {E::automatic_start, {S::established, ""}},
      {E::automatic_stop, {S::idle, "notify(6/8) disconnect down"}},
      {E::connect_retry_timer_expires, {S::idle, "notify(5/3) disconnect down"}},
      {E::hold_timer_expires, {S::idle, "notify(4/0) disconnect down"}},
      {E::keepalive_timer_expires, {S::established, "send-keepalive"}},
      {E::delay_open_timer_expires, {S::idle, "notify(5/3) disconnect down"}},
      {E::idle_hold_timer_expires, {S::established, ""}},
      {E::tcp_connection_valid, {S::established, ""}},
      {E::tcp_connection_confirmed, {S::established, ""}},
      {E::tcp_connection_fails, {S::idle, "disconnect down"}},
      {E::bgp_open, {S::idle, "notify(5/3) disconnect down"}},
      {E::bgp_header_error, {S::idle, "notify(1/2) disconnect down"}},
      {E::bgp_open_message_error, {S::idle, "notify(2/4) disconnect down"}},
      {E::open_collision_dump, {S::idle, "notify(6/7) disconnect down"}},
      {E::notification_version_error, {S::idle, "disconnect down"}},
      {E::notification_received, {S::idle, "disconnect down"}},
      {E::keepalive_received, {S::established, ""}},
      {E::update_received, {S::established, "deliver"}},
      {E::update_error, {S::idle, "notify(3/11) disconnect down"}},
      {E::route_refresh_received, {S::established, "deliver"}},
      {E::message_sent, {S::established, ""}}}},
};

}  // namespace

TEST_CASE("every (state, event) pair does what the table says") {
  int pairs = 0;
  for (State s : kAllStates) {
    for (EventType e : kAllEvents) {
      CAPTURE(to_string(s));
      CAPTURE(to_string(e));
      const auto& row = kTable.at(s).at(e);
      ManualClock clock;
      Fsm f = in_state(s, clock);
      REQUIRE(f.state() == s);
      clock.advance(std::chrono::milliseconds(10));
      const auto actions = f.on(event(e), clock.now());
      CHECK(to_string(f.state()) == to_string(row.to));
      CHECK(describe(actions) == row.actions);
      ++pairs;
    }
  }
  CHECK(pairs == 6 * 23);
}

TEST_CASE("ManualStop carries the RFC 9003 message") {
  ManualClock clock;
  Fsm f = in_state(State::established, clock);
  auto a = f.on(Event::stop("rack 7 maintenance"), clock.now());
  REQUIRE(a.front().type == ActionType::send_notification);
  CHECK(a.front().notification->shutdown_message() == "rack 7 maintenance");
  CHECK_FALSE(f.enabled());
  // Disabled: no restart is scheduled.
  CHECK_FALSE(f.next_deadline());
}

TEST_CASE("hold timer: expires exactly after the negotiated hold time without messages") {
  ManualClock clock;
  Fsm f = in_state(State::established, clock);
  REQUIRE(f.negotiated()->hold_time == 9);
  CHECK(f.negotiated()->keepalive_time == 3);
  int keepalives = 0;
  for (int ms = 0; ms < 8990; ms += 10) {
    clock.advance(std::chrono::milliseconds(10));
    while (auto due = f.due_timer(clock.now())) {
      auto actions = f.on(Event::of(*due), clock.now());
      CHECK(*due == EventType::keepalive_timer_expires);
      keepalives += int(actions.size());
    }
  }
  CHECK(keepalives == 2);  // at 3 s and 6 s
  CHECK(f.state() == State::established);
  clock.advance(std::chrono::milliseconds(20));
  auto due = f.due_timer(clock.now());
  REQUIRE(due);
  CHECK(*due == EventType::hold_timer_expires);
  CHECK(describe(f.on(Event::of(*due), clock.now())) == "notify(4/0) disconnect down");
}

TEST_CASE("messages received keep the session up; sent UPDATEs postpone keepalives") {
  ManualClock clock;
  Fsm f = in_state(State::established, clock);
  for (int i = 0; i < 10; ++i) {
    clock.advance(std::chrono::seconds(2));
    f.on(Event::of(EventType::update_received), clock.now());
    f.on(Event::of(EventType::message_sent), clock.now());
    CHECK_FALSE(f.due_timer(clock.now()));
  }
  CHECK(f.state() == State::established);
}

TEST_CASE("IdleHold backs off exponentially and forgets after a stable session") {
  ManualClock clock;
  Fsm f(settings());
  f.on(Event::of(EventType::manual_start), clock.now());
  std::vector<long> waits;
  for (int i = 0; i < 7; ++i) {
    f.on(Event::of(EventType::tcp_connection_confirmed), clock.now());
    f.on(Event::notification_in({6, 4, {}}), clock.now());  // peer resets us
    REQUIRE(f.state() == State::idle);
    const auto wait = *f.next_deadline() - clock.now();
    waits.push_back(std::chrono::duration_cast<std::chrono::seconds>(wait).count());
    clock.advance(wait);
    REQUIRE(f.due_timer(clock.now()) == EventType::idle_hold_timer_expires);
    CHECK(describe(f.on(Event::of(EventType::idle_hold_timer_expires), clock.now())) == "connect");
  }
  CHECK(waits == std::vector<long>{5, 10, 20, 40, 80, 120, 120});
  // A session that stays up past stable_after starts the backoff afresh.
  f.on(Event::of(EventType::tcp_connection_confirmed), clock.now());
  f.on(Event::open_received(peer_open(0)), clock.now());
  f.on(Event::of(EventType::keepalive_received), clock.now());
  REQUIRE(f.state() == State::established);
  clock.advance(std::chrono::minutes(5));
  f.on(Event::notification_in({6, 4, {}}), clock.now());
  CHECK(*f.next_deadline() - clock.now() == std::chrono::seconds(5));
}

TEST_CASE("passive peers wait in Active; DelayOpen waits for the peer's OPEN") {
  ManualClock clock;
  Fsm passive(settings(), {}, /*passive=*/true);
  CHECK(describe(passive.on(Event::of(EventType::manual_start), clock.now())) == "");
  CHECK(passive.state() == State::active);
  clock.advance(std::chrono::seconds(30));
  CHECK(describe(passive.on(Event::of(*passive.due_timer(clock.now())), clock.now())) == "");
  CHECK(passive.state() == State::active);

  FsmTimers t;
  t.delay_open = std::chrono::seconds(5);
  Fsm delayed(settings(), t);
  delayed.on(Event::of(EventType::manual_start), clock.now());
  CHECK(describe(delayed.on(Event::of(EventType::tcp_connection_confirmed), clock.now())) == "");
  // RFC 4271 event 20: the peer's OPEN while DelayOpen runs: ours, then KEEPALIVE.
  CHECK(describe(delayed.on(Event::open_received(peer_open()), clock.now())) == "send-open send-keepalive");
  CHECK(delayed.state() == State::open_confirm);
}

TEST_CASE("an OPEN the negotiation refuses sends its NOTIFICATION") {
  ManualClock clock;
  Fsm f = in_state(State::open_sent, clock);
  auto bad = peer_open();
  bad.my_as = 65002;
  bad.capabilities.four_octet_as = 65002;
  CHECK(describe(f.on(Event::open_received(bad), clock.now())) == "notify(2/2) disconnect");
  CHECK(f.history().back().reason == "OPEN refused: OPEN Message Error / Bad Peer AS");
}

TEST_CASE("a hold-down (max-prefix restart interval) stretches the next IdleHold once") {
  ManualClock clock;
  Fsm f(settings());
  f.on(Event::of(EventType::manual_start), clock.now());
  f.on(Event::of(EventType::tcp_connection_confirmed), clock.now());
  f.on(Event::open_received(peer_open(0)), clock.now());
  f.on(Event::of(EventType::keepalive_received), clock.now());
  REQUIRE(f.state() == State::established);
  f.hold_down_next(std::chrono::seconds(60));
  f.on(Event{EventType::automatic_stop, std::nullopt, wire::NotificationMessage{6, 1, {}}, "max prefixes"}, clock.now());
  REQUIRE(f.state() == State::idle);
  CHECK(*f.idle_hold_until() - clock.now() == std::chrono::seconds(60));
  clock.advance(std::chrono::seconds(60));
  REQUIRE(f.due_timer(clock.now()) == EventType::idle_hold_timer_expires);
  f.on(Event::of(EventType::idle_hold_timer_expires), clock.now());
  // Used once: the next error backs off as usual.
  f.on(Event::of(EventType::tcp_connection_confirmed), clock.now());
  f.on(Event::notification_in({6, 4, {}}), clock.now());
  CHECK(*f.idle_hold_until() - clock.now() < std::chrono::seconds(60));
}
