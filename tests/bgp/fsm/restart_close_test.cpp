// What a restarting speaker tells an Established peer before closing (RFC 4724 §4.2,
// RFC 8538 §3-5): the pure rule as a table over what both sides announced, then the
// same through the Fsm (Event::restart_stop), beside a plain ManualStop.
#include "bgp/fsm/restart_close.hpp"

#include <doctest/doctest.h>

#include <sstream>

#include "bgp/fsm/fsm.hpp"
#include "bgp/wire/wire_error.hpp"

using namespace petrel::bgp;
using namespace petrel::bgp::fsm;
using petrel::ManualClock;

namespace {

struct Sides {
  bool we_announce = true;         // graceful-restart configured for this peer
  uint16_t our_restart_time = 120;
  bool peer_announces = true;      // the peer's OPEN carries the GR capability
  bool peer_n_bit = false;         // ... with the N bit (RFC 8538)
};

SessionSettings settings(const Sides& s) {
  SessionSettings m;
  m.local_as = 64601;
  m.router_id = 0x0a640102;
  m.remote_as = RemoteAs::exact_as(65000);
  m.hold_time = 9;
  if (s.we_announce) {
    GracefulRestartSettings gr;
    gr.restart_time = s.our_restart_time;
    m.graceful_restart = gr;
  }
  return m;
}

wire::OpenMessage peer_open(const Sides& s) {
  wire::OpenMessage o;
  o.my_as = 65000;
  o.hold_time = 9;
  o.bgp_identifier = 0x0a640001;
  o.capabilities.multiprotocol = {{1, 1}};
  o.capabilities.four_octet_as = 65000;
  if (s.peer_announces) {
    // BIRD 2 sends R=0, N=0, restart time 120, IPv4 unicast with F=0 on a first start.
    o.capabilities.graceful_restart = wire::GracefulRestartCapability{false, s.peer_n_bit, 120, {{{1, 1}, false}}};
  }
  return o;
}

std::string describe(const std::optional<wire::NotificationMessage>& n) {
  if (!n) return "none";
  return "notify(" + std::to_string(n->code) + "/" + std::to_string(n->subcode) + ")";
}

std::string describe(const std::vector<Action>& actions) {
  std::ostringstream out;
  for (const auto& a : actions) {
    if (out.tellp() > 0) out << ' ';
    if (a.type == ActionType::send_notification)
      out << describe(a.notification);
    else
      out << to_string(a.type);
  }
  return out.str();
}

// A machine brought to Established by a real OPEN exchange with `peer`.
Fsm established(const Sides& s, ManualClock& clock) {
  Fsm f(settings(s));
  f.on(Event::of(EventType::manual_start), clock.now());
  f.on(Event::of(EventType::tcp_connection_confirmed), clock.now());
  f.on(Event::open_received(peer_open(s)), clock.now());
  f.on(Event::of(EventType::keepalive_received), clock.now());
  REQUIRE(f.state() == State::established);
  return f;
}

struct Row {
  const char* name;
  Sides sides;
  const char* restart;  // what Event::restart_stop sends
};

// A plain ManualStop sends notify(6/2) in every row.
const Row kRows[] = {
    {"GR both ways, peer without N (BIRD 2): no NOTIFICATION", {true, 120, true, false}, "none"},
    {"GR both ways, N both ways: Cease / Administrative Reset, not a Hard Reset", {true, 120, true, true}, "notify(6/4)"},
    {"we do not announce GR: the peer cannot keep our routes", {false, 120, true, false}, "notify(6/2)"},
    {"the peer does not announce GR: it is no helper", {true, 120, false, false}, "notify(6/2)"},
    {"restart time 0: the peer would not wait", {true, 0, true, true}, "notify(6/2)"},
};

}  // namespace

TEST_CASE("restart_notification: what each combination of announcements sends") {
  for (const Row& row : kRows) {
    CAPTURE(row.name);
    const SessionSettings s = settings(row.sides);
    auto n = negotiate(s, build_local_open(s), peer_open(row.sides));
    REQUIRE(n.has_value());
    const wire::NotificationMessage planned = wire::make_shutdown(wire::err::administrative_shutdown, "bye");
    CHECK(describe(restart_notification(s, *n, planned)) == row.restart);
    CHECK(peer_keeps_our_routes(s, *n) == (std::string(row.restart) != "notify(6/2)"));
  }
}

TEST_CASE("Fsm: a restart stop in Established follows the rule; a plain stop always sends the Cease") {
  for (const Row& row : kRows) {
    CAPTURE(row.name);
    ManualClock clock;
    Fsm plain = established(row.sides, clock);
    CHECK(describe(plain.on(Event::stop("maintenance"), clock.now())) == "notify(6/2) disconnect down");

    Fsm restart = established(row.sides, clock);
    const auto actions = restart.on(Event::restart_stop("petreld restarting"), clock.now());
    const std::string notify = row.restart == std::string("none") ? "" : std::string(row.restart) + " ";
    CHECK(describe(actions) == notify + "disconnect down");
    CHECK(restart.state() == State::idle);
    CHECK_FALSE(restart.enabled());
    CHECK(restart.history().back().reason == "stopped for a restart");
  }
}

TEST_CASE("Fsm: the Administrative Reset of a restart keeps the RFC 9003 message") {
  ManualClock clock;
  Fsm f = established({true, 120, true, true}, clock);
  const auto actions = f.on(Event::restart_stop("petreld restarting"), clock.now());
  REQUIRE(actions.front().type == ActionType::send_notification);
  CHECK(actions.front().notification->subcode == wire::err::administrative_reset);
  CHECK(actions.front().notification->shutdown_message() == "petreld restarting");
}

TEST_CASE("Fsm: before Established a restart stop is a plain stop (nothing was kept)") {
  ManualClock clock;
  const Sides s{true, 120, true, false};
  Fsm f(settings(s));
  f.on(Event::of(EventType::manual_start), clock.now());
  f.on(Event::of(EventType::tcp_connection_confirmed), clock.now());
  f.on(Event::open_received(peer_open(s)), clock.now());
  REQUIRE(f.state() == State::open_confirm);
  CHECK(describe(f.on(Event::restart_stop("petreld restarting"), clock.now())) == "notify(6/2) disconnect");
}
