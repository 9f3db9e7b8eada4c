// Session over an in-memory transport: every failure point of a whole scenario
// (loop N until the scenario passes), collisions (RFC 4271 §6.8), the hold timer
// with a manual clock, write backpressure, bad bytes from the peer, and the stop
// for a restart (graceful restart: no Cease to a peer that keeps our routes).
#include "bgp/session/session.hpp"

#include <boost/asio/io_context.hpp>
#include <doctest/doctest.h>

#include "bgp/wire/framer.hpp"
#include "bgp/wire/message.hpp"
#include "bgp/wire/update_packer.hpp"
#include "tests/support/memory_transport.hpp"

using namespace petrel;
using namespace petrel::bgp;
using session::Session;
using test::FaultPlan;
using test::MemoryConnector;
using test::MemoryTransport;

namespace {

constexpr uint32_t kLocalId = 0x0a00000b;

wire::OpenMessage peer_open(uint32_t id = 0x0a000001) {
  wire::OpenMessage o;
  o.my_as = 65001;
  o.hold_time = 9;
  o.bgp_identifier = id;
  o.capabilities.multiprotocol = {{1, 1}};
  o.capabilities.four_octet_as = 65001;
  o.capabilities.route_refresh = true;
  return o;
}

std::vector<uint8_t> bytes_of(const wire::OpenMessage& o) {
  std::vector<uint8_t> out;
  wire::encode_open(o, out);
  return out;
}
std::vector<uint8_t> keepalive() {
  std::vector<uint8_t> out;
  wire::encode_keepalive(out);
  return out;
}
std::vector<uint8_t> announce(std::initializer_list<const char*> prefixes) {
  wire::PathAttributes a;
  a.origin = wire::Origin::igp;
  a.as_path = wire::AsPath{{{wire::AsSegmentType::sequence, {65001}}}};
  a.next_hop = IpAddress::parse("192.0.2.1");
  std::vector<wire::NlriEntry> nlri;
  for (auto p : prefixes) nlri.push_back({0, *Prefix::parse(p)});
  std::vector<uint8_t> out;
  REQUIRE(wire::pack_announcements(wire::Family::ipv4_unicast, a, std::nullopt, nlri, {}, out).has_value());
  return out;
}

struct Message {
  wire::MessageType type;
  std::vector<uint8_t> bytes;
};

// The test's end of a connection: reads what the session sent, message by message.
struct PeerEnd {
  MemoryTransport& t;
  wire::Framer framer{wire::kMaxExtendedMessageSize};
  std::vector<Message> received() {
    framer.feed(t.take_all());
    std::vector<Message> out;
    for (;;) {
      auto f = framer.next();
      REQUIRE(f.has_value());
      if (!*f) break;
      out.push_back({(*f)->type, {(*f)->bytes.begin(), (*f)->bytes.end()}});
    }
    return out;
  }
};

struct Harness : session::SessionObserver {
  explicit Harness(std::shared_ptr<FaultPlan> f = std::make_shared<FaultPlan>(), std::size_t high_water = 4u << 20,
                   std::optional<fsm::GracefulRestartSettings> graceful_restart = std::nullopt)
      : faults(std::move(f)) {
    session::SessionConfig cfg;
    cfg.name = "peer1";
    cfg.settings.local_as = 64512;
    cfg.settings.router_id = kLocalId;
    cfg.settings.remote_as = fsm::RemoteAs::exact_as(65001);
    cfg.settings.hold_time = 9;
    cfg.write_high_water = high_water;
    cfg.settings.graceful_restart = graceful_restart;
    auto c = std::make_unique<MemoryConnector>(io.get_executor(), faults);
    connector = c.get();
    session = std::make_unique<Session>(io.get_executor(), cfg, std::move(c), clock, *this);
  }
  void run() {
    for (;;) {
      io.restart();
      if (io.poll() == 0) break;
    }
  }
  PeerEnd last_peer() { return PeerEnd{*connector->remote_ends.back()}; }
  // Brings the session to Established over the first outgoing connection.
  PeerEnd establish(const wire::OpenMessage& open = peer_open()) {
    session->start();
    run();
    REQUIRE(connector->remote_ends.size() == 1);
    auto& t = *connector->remote_ends.back();
    t.put(bytes_of(open));
    t.put(keepalive());
    run();
    REQUIRE(session->state() == fsm::State::established);
    return PeerEnd{t};
  }

  void on_established(const fsm::Negotiated&) override { ++established; }
  void on_down(std::string_view) override { ++downs; }
  void on_update(const wire::Update& u) override { updates.push_back(wire::to_message(u)); actions.push_back(u.action); }
  void on_writable() override { ++writable_calls; }
  void on_collision(bool kept_incoming) override { collisions.push_back(kept_incoming); }
  void on_state_change(fsm::State, fsm::State to, std::string_view) override { states.push_back(to); }

  boost::asio::io_context io;
  ManualClock clock;
  std::shared_ptr<FaultPlan> faults;
  MemoryConnector* connector = nullptr;
  std::unique_ptr<Session> session;
  int established = 0, downs = 0, writable_calls = 0;
  std::vector<wire::UpdateMessage> updates;
  std::vector<wire::ErrorAction> actions;
  std::vector<bool> collisions;
  std::vector<fsm::State> states;  // the peer's state after each change
};

bool has(const std::vector<Message>& ms, wire::MessageType t) {
  return std::any_of(ms.begin(), ms.end(), [t](const Message& m) { return m.type == t; });
}

}  // namespace

TEST_CASE("a whole session survives a failure at every operation, then passes") {
  std::size_t passed_at = 0;
  for (std::size_t n = 0; n < 200 && passed_at == 0; ++n) {
    CAPTURE(n);
    auto faults = std::make_shared<FaultPlan>();
    faults->fail_at = n;
    Harness h(faults);
    h.session->start();
    h.run();
    std::vector<Message> seen;
    if (!h.connector->remote_ends.empty()) {
      auto& t = *h.connector->remote_ends.back();
      t.put(bytes_of(peer_open()));
      t.put(keepalive());
      h.run();
      t.put(announce({"10.1.0.0/24", "10.2.0.0/24"}));
      h.run();
      h.session->send(announce({"10.9.1.0/24", "10.9.2.0/24", "10.9.3.0/24"}));
      h.run();
      h.session->stop("bye");
      h.run();
      seen = PeerEnd{t}.received();
    }
    // Whatever was delivered is whole.
    for (const auto& u : h.updates) CHECK(u.nlri.size() == 2);
    if (h.faults->tripped) {
      CHECK(h.session->stats().last_error.has_value());
      CHECK(h.session->state() != fsm::State::established);
      CHECK(h.established == h.downs);
      // Not stopped yet when the fault hit: it tries again after IdleHold/ConnectRetry.
      if (h.session->fsm().enabled()) {
        const auto before = h.connector->attempts;
        h.clock.advance(std::chrono::minutes(3));
        h.session->check_timers();
        h.run();
        CHECK(h.connector->attempts > before);
      }
      continue;
    }
    // No fault left to hit: the scenario must pass whole.
    CHECK(h.established == 1);
    REQUIRE(h.updates.size() == 1);
    CHECK(h.updates[0].nlri[1].prefix.to_string() == "10.2.0.0/24");
    CHECK(has(seen, wire::MessageType::open));
    CHECK(has(seen, wire::MessageType::keepalive));
    REQUIRE(has(seen, wire::MessageType::update));
    REQUIRE(seen.back().type == wire::MessageType::notification);
    auto note = wire::decode_notification(seen.back().bytes);
    REQUIRE(note.has_value());
    CHECK(note->shutdown_message() == "bye");
    CHECK(h.session->stats().out[wire::MessageType::update] == 1);
    CHECK(h.session->stats().in[wire::MessageType::update] == 1);
    passed_at = n;
  }
  // Every operation of the scenario was made to fail once before it passed.
  MESSAGE("scenario passed whole once n = " << passed_at << " operations could fail first");
  CHECK(passed_at >= 8);
}

TEST_CASE("RFC 4271 §6.8: the connection initiated by the higher identifier survives") {
  for (const bool peer_higher : {false, true}) {
    CAPTURE(peer_higher);
    const uint32_t peer_id = peer_higher ? 0x0b000000 : 0x0a000001;
    Harness h;
    h.session->start();
    h.run();
    auto& outgoing = *h.connector->remote_ends.back();
    // The peer connects to us at the same time.
    auto [ours, theirs] = test::make_pipe(h.io.get_executor());
    h.session->accept(std::move(ours));
    h.run();
    outgoing.put(bytes_of(peer_open(peer_id)));  // the outgoing connection reaches OpenConfirm
    h.run();
    CHECK(h.session->state() == fsm::State::open_confirm);
    theirs->put(bytes_of(peer_open(peer_id)));  // the OPEN on the incoming one decides
    h.run();
    REQUIRE(h.collisions.size() == 1);
    CHECK(h.collisions[0] == peer_higher);
    MemoryTransport& loser = peer_higher ? outgoing : *theirs;
    MemoryTransport& winner = peer_higher ? *theirs : outgoing;
    auto lost = PeerEnd{loser}.received();
    REQUIRE_FALSE(lost.empty());
    auto note = wire::decode_notification(lost.back().bytes);
    REQUIRE(note.has_value());
    CHECK(note->code == wire::err::cease);
    CHECK(note->subcode == wire::err::connection_collision);
    CHECK(loser.closed());
    winner.put(keepalive());
    h.run();
    CHECK(h.session->state() == fsm::State::established);
    CHECK(h.established == 1);
    // Only the losing connection went away: the peer itself never passed through Idle.
    CHECK(std::count(h.states.begin(), h.states.end(), fsm::State::idle) == 0);
    CHECK_FALSE(h.session->fsm().idle_hold_until());
  }
}

TEST_CASE("an Established session turns a newcomer away") {
  Harness h;
  h.establish();
  auto [ours, theirs] = test::make_pipe(h.io.get_executor());
  h.session->accept(std::move(ours));
  h.run();
  CHECK(theirs->closed());
  CHECK(h.session->state() == fsm::State::established);
}

TEST_CASE("a silent peer is torn down at hold-timer expiry with Hold Timer Expired") {
  Harness h;
  auto peer = h.establish();
  peer.received();
  for (int s = 1; s <= 8; ++s) {
    h.clock.advance(std::chrono::seconds(1));
    h.session->check_timers();
    h.run();
  }
  CHECK(h.session->state() == fsm::State::established);
  auto kept_alive = peer.received();
  CHECK(kept_alive.size() == 2);  // keepalives at 3 s and 6 s
  h.clock.advance(std::chrono::seconds(1));
  h.session->check_timers();
  h.run();
  CHECK(h.session->state() == fsm::State::idle);
  CHECK(h.downs == 1);
  auto last = peer.received();
  REQUIRE_FALSE(last.empty());
  auto note = wire::decode_notification(last.back().bytes);
  REQUIRE(note.has_value());
  CHECK(note->code == wire::err::hold_timer_expired);
  CHECK(h.session->stats().last_notification_sent->code == wire::err::hold_timer_expired);
}

TEST_CASE("the write queue pushes back above its high-water mark and says when it drains") {
  Harness h(std::make_shared<FaultPlan>(), /*high_water=*/1000);
  auto peer = h.establish();
  peer.t.pause(true);
  std::vector<uint8_t> big(600, 0);
  auto upd = announce({"10.0.0.0/8"});
  big.assign(upd.begin(), upd.end());
  big.resize(600, 0);  // padding stands in for more messages; never read back
  CHECK(h.session->send(big));
  CHECK_FALSE(h.session->send(big));
  CHECK_FALSE(h.session->writable());
  CHECK(h.session->queued_bytes() >= 1000);
  h.run();
  CHECK(h.writable_calls == 0);
  peer.t.pause(false);
  h.run();
  CHECK(h.writable_calls == 1);
  CHECK(h.session->writable());
}

TEST_CASE("bad bytes from the peer: header errors reset, RFC 7606 keeps the session where it can") {
  SUBCASE("a broken marker is Connection Not Synchronized") {
    Harness h;
    auto peer = h.establish();
    std::vector<uint8_t> bad(19, 0);
    peer.t.put(bad);
    h.run();
    CHECK(h.session->state() == fsm::State::idle);
    auto note = wire::decode_notification(peer.received().back().bytes);
    REQUIRE(note.has_value());
    CHECK(note->code == wire::err::header);
    CHECK(note->subcode == wire::err::connection_not_synchronized);
  }
  SUBCASE("treat-as-withdraw keeps the session and tells the RIB") {
    Harness h;
    auto peer = h.establish();
    auto upd = announce({"10.1.0.0/24"});
    upd[23 + 3] = 7;  // ORIGIN value 7: the first attribute's value byte
    peer.t.put(upd);
    h.run();
    CHECK(h.session->state() == fsm::State::established);
    REQUIRE(h.actions.size() == 1);
    CHECK(h.actions[0] == wire::ErrorAction::treat_as_withdraw);
  }
  SUBCASE("a bad NLRI field resets with Invalid Network Field") {
    Harness h;
    auto peer = h.establish();
    auto upd = announce({"10.1.0.0/24"});
    upd[upd.size() - 4] = 33;
    peer.t.put(upd);
    h.run();
    CHECK(h.session->state() == fsm::State::idle);
    auto note = wire::decode_notification(peer.received().back().bytes);
    REQUIRE(note.has_value());
    CHECK(note->code == wire::err::update);
    CHECK(note->subcode == wire::err::invalid_network_field);
  }
}

TEST_CASE("disabled peers refuse connections; restart sends Administrative Reset and reconnects") {
  Harness h;
  auto [ours, theirs] = test::make_pipe(h.io.get_executor());
  h.session->accept(std::move(ours));
  h.run();
  CHECK(theirs->closed());

  auto peer = h.establish();
  peer.received();
  h.session->restart("config change");
  h.run();
  auto note = wire::decode_notification(peer.received().back().bytes);
  REQUIRE(note.has_value());
  CHECK(note->subcode == wire::err::administrative_reset);
  CHECK(note->shutdown_message() == "config change");
  CHECK(h.connector->attempts == 2);
  CHECK(h.session->state() == fsm::State::open_sent);
}

TEST_CASE("stopping with UPDATEs queued still delivers the NOTIFICATION, and only the write in flight before it") {
  Harness h;
  auto peer = h.establish();
  peer.received();
  peer.t.pause(true);
  for (int i = 0; i < 3; ++i) h.session->send(announce({"10.9.1.0/24"}));
  h.run();
  h.session->stop("maintenance");
  h.run();
  peer.t.pause(false);
  h.run();
  const auto got = peer.received();
  REQUIRE(got.size() == 2);
  CHECK(got[0].type == wire::MessageType::update);  // the one already being written
  REQUIRE(got[1].type == wire::MessageType::notification);
  auto note = wire::decode_notification(got[1].bytes);
  REQUIRE(note.has_value());
  CHECK(note->shutdown_message() == "maintenance");
  CHECK(peer.t.closed());
}

TEST_CASE("a stop for a restart closes without a NOTIFICATION when the peer keeps our routes (RFC 4724 §4.2)") {
  fsm::GracefulRestartSettings gr;
  gr.restart_time = 120;
  wire::OpenMessage open = peer_open();
  open.capabilities.graceful_restart = wire::GracefulRestartCapability{false, false, 120, {{{1, 1}, false}}};
  {
    Harness h(std::make_shared<FaultPlan>(), 4u << 20, gr);
    auto peer = h.establish(open);
    peer.received();
    h.session->stop_for_restart("petreld restarting");
    h.run();
    CHECK_FALSE(has(peer.received(), wire::MessageType::notification));
    CHECK(peer.t.closed());
    CHECK(h.downs == 1);
    CHECK(h.session->state() == fsm::State::idle);
  }
  {
    // With the N bit on both sides (RFC 8538): Administrative Reset, not a Hard Reset.
    open.capabilities.graceful_restart->notification = true;
    Harness h(std::make_shared<FaultPlan>(), 4u << 20, gr);
    auto peer = h.establish(open);
    peer.received();
    h.session->stop_for_restart("petreld restarting");
    h.run();
    const auto got = peer.received();
    REQUIRE(has(got, wire::MessageType::notification));
    auto note = wire::decode_notification(got.back().bytes);
    REQUIRE(note.has_value());
    CHECK(note->subcode == wire::err::administrative_reset);
    CHECK(peer.t.closed());
  }
  {
    // Without graceful restart on our side the peer cannot keep anything: the Cease.
    Harness h;
    auto peer = h.establish(open);
    peer.received();
    h.session->stop_for_restart("petreld restarting");
    h.run();
    const auto got = peer.received();
    REQUIRE(has(got, wire::MessageType::notification));
    auto note = wire::decode_notification(got.back().bytes);
    REQUIRE(note.has_value());
    CHECK(note->subcode == wire::err::administrative_shutdown);
  }
}
