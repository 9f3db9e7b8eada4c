// Capability negotiation and OPEN checks that need session knowledge
// (RFC 4271 §6.2, RFC 6793, RFC 6286, RFC 7911, RFC 8950, RFC 5492), and the
// RFC 4271 §6.8 collision rule.
#include "bgp/fsm/negotiate.hpp"

#include <doctest/doctest.h>

#include "bgp/fsm/collision.hpp"

using namespace petrel::bgp;
using namespace petrel::bgp::fsm;
using wire::AddPathMode;
using wire::Family;

namespace {

SessionSettings mine() {
  SessionSettings s;
  s.local_as = 64512;
  s.router_id = 10;
  s.remote_as = RemoteAs::exact_as(4200000001u);
  s.hold_time = 90;
  s.families = {Family::ipv4_unicast, Family::ipv6_unicast};
  return s;
}

wire::OpenMessage theirs() {
  wire::OpenMessage o;
  o.my_as = wire::kAsTrans;
  o.hold_time = 30;
  o.bgp_identifier = 20;
  o.capabilities.four_octet_as = 4200000001u;
  o.capabilities.multiprotocol = {{1, 1}, {2, 1}};
  o.capabilities.route_refresh = true;
  return o;
}

petrel::Result<Negotiated, wire::NotificationMessage> run(const SessionSettings& s, const wire::OpenMessage& peer) {
  return negotiate(s, build_local_open(s), peer);
}

}  // namespace

TEST_CASE("our OPEN says what the settings offer") {
  auto s = mine();
  s.local_as = 4200000009u;
  s.add_path_receive[index(Family::ipv4_unicast)] = true;
  s.graceful_restart = GracefulRestartSettings{120, false, {true, false}, 3600};
  s.extended_next_hop = true;
  const auto o = build_local_open(s);
  CHECK(o.my_as == wire::kAsTrans);
  CHECK(o.capabilities.four_octet_as == 4200000009u);
  CHECK(o.capabilities.multiprotocol.size() == 2);
  REQUIRE(o.capabilities.add_path.size() == 1);
  CHECK(o.capabilities.add_path[0].mode == AddPathMode::receive);
  CHECK(o.capabilities.graceful_restart->families.size() == 2);
  CHECK(o.capabilities.graceful_restart->families[0].forwarding_preserved);
  CHECK_FALSE(o.capabilities.graceful_restart->families[1].forwarding_preserved);  // per family
  CHECK(o.capabilities.long_lived_gr->at(1).stale_time == 3600u);
  CHECK(o.capabilities.extended_next_hop.size() == 1);
}

TEST_CASE("a good OPEN negotiates the smaller hold time and common families") {
  auto n = run(mine(), theirs());
  REQUIRE(n.has_value());
  CHECK(n->peer_as == 4200000001u);
  CHECK(n->external);
  CHECK(n->hold_time == 30);
  CHECK(n->keepalive_time == 10);
  CHECK(n->families[index(Family::ipv4_unicast)]);
  CHECK(n->families[index(Family::ipv6_unicast)]);
  CHECK(n->four_octet_as);
  CHECK(n->route_refresh);
  CHECK_FALSE(n->enhanced_route_refresh);
  const auto ctx = n->codec_context();
  CHECK(ctx.four_octet_as);
  CHECK(ctx.external_peer);
}

TEST_CASE("hold time zero on either side means no keepalives") {
  auto peer = theirs();
  peer.hold_time = 0;
  auto n = run(mine(), peer);
  REQUIRE(n.has_value());
  CHECK(n->hold_time == 0);
  CHECK(n->keepalive_time == 0);
}

TEST_CASE("RFC 4271 §6.2 / RFC 6793: Bad Peer AS") {
  auto wrong = theirs();
  wrong.capabilities.four_octet_as = 4200000002u;
  CHECK(run(mine(), wrong).error() == wire::NotificationMessage{2, 2, {}});
  auto no_cap = theirs();
  no_cap.capabilities.four_octet_as.reset();  // AS_TRANS with no real AS behind it
  CHECK(run(mine(), no_cap).error().subcode == wire::err::bad_peer_as);
  auto s = mine();
  s.remote_as = RemoteAs::internal();
  CHECK(run(s, theirs()).error().subcode == wire::err::bad_peer_as);
  s.remote_as = RemoteAs::external();
  CHECK(run(s, theirs()).has_value());
}

TEST_CASE("RFC 6286 §2.2: an internal peer with our identifier is refused; an external one is not") {
  auto s = mine();
  s.remote_as = RemoteAs::internal();
  auto peer = theirs();
  peer.capabilities.four_octet_as = 64512;
  peer.my_as = 64512;
  peer.bgp_identifier = s.router_id;
  CHECK(run(s, peer).error().subcode == wire::err::bad_bgp_identifier);
  s.remote_as = RemoteAs::exact_as(4200000001u);
  auto ext = theirs();
  ext.bgp_identifier = s.router_id;
  CHECK(run(s, ext).has_value());
}

TEST_CASE("RFC 5492 §5: no family in common is Unsupported Capability, data our families") {
  auto s = mine();
  s.families = {Family::ipv6_unicast};
  auto peer = theirs();
  peer.capabilities.multiprotocol = {{1, 1}};
  auto e = run(s, peer).error();
  CHECK(e.subcode == wire::err::unsupported_capability);
  CHECK(e.data == std::vector<uint8_t>{1, 4, 0, 2, 0, 1});
  // A peer without any multiprotocol capability speaks IPv4 unicast (RFC 4760 §8).
  auto legacy = theirs();
  legacy.capabilities.multiprotocol.clear();
  auto n = run(mine(), legacy);
  REQUIRE(n.has_value());
  CHECK(n->families[index(Family::ipv4_unicast)]);
  CHECK_FALSE(n->families[index(Family::ipv6_unicast)]);
}

TEST_CASE("RFC 7911 §4: ADD-PATH directions") {
  struct Row {
    bool my_rx, my_tx;
    AddPathMode peer;
    bool rx, tx;
  };
  const Row rows[] = {
      {true, true, AddPathMode::both, true, true},     {true, false, AddPathMode::both, true, false},
      {false, true, AddPathMode::both, false, true},   {true, true, AddPathMode::send, true, false},
      {true, true, AddPathMode::receive, false, true}, {true, false, AddPathMode::receive, false, false},
  };
  for (const auto& r : rows) {
    auto s = mine();
    s.add_path_receive[index(Family::ipv4_unicast)] = r.my_rx;
    s.add_path_send[index(Family::ipv4_unicast)] = r.my_tx;
    auto peer = theirs();
    peer.capabilities.add_path = {{{1, 1}, r.peer}};
    auto n = run(s, peer);
    REQUIRE(n.has_value());
    CHECK(n->add_path_receive[index(Family::ipv4_unicast)] == r.rx);
    CHECK(n->add_path_send[index(Family::ipv4_unicast)] == r.tx);
    CHECK_FALSE(n->add_path_receive[index(Family::ipv6_unicast)]);
  }
}

TEST_CASE("RFC 8950, RFC 8654, graceful restart and unknown capabilities") {
  auto s = mine();
  s.extended_next_hop = true;
  auto peer = theirs();
  peer.capabilities.extended_next_hop = {{1, 1, 2}};
  peer.capabilities.extended_message = true;
  peer.capabilities.graceful_restart = wire::GracefulRestartCapability{true, false, 90, {{{2, 1}, true}}};
  peer.capabilities.long_lived_gr = std::vector<wire::LongLivedGrFamily>{{{2, 1}, true, 600}};
  peer.capabilities.unknown = {{99, {1}}};
  auto n = run(s, peer);
  REQUIRE(n.has_value());
  CHECK(n->ipv4_with_ipv6_next_hop);
  CHECK(n->extended_message);
  REQUIRE(n->graceful_restart);
  CHECK(n->graceful_restart->restarting);
  CHECK(n->graceful_restart->restart_time == 90);
  CHECK(n->graceful_restart->forwarding_preserved[index(Family::ipv6_unicast)]);
  CHECK_FALSE(n->graceful_restart->announced[index(Family::ipv4_unicast)]);
  CHECK(n->graceful_restart->long_lived_stale_time[index(Family::ipv6_unicast)] == 600u);
  CHECK(n->unknown_capabilities.size() == 1);
  s.extended_next_hop = false;
  CHECK_FALSE(run(s, peer)->ipv4_with_ipv6_next_hop);
}

TEST_CASE("RFC 4271 §6.8: the connection initiated by the higher identifier survives") {
  CHECK(surviving_connection(20, 10) == Initiator::local);
  CHECK(surviving_connection(10, 20) == Initiator::remote);
  // Compared as unsigned 32-bit numbers: 192.0.2.1 beats 10.0.0.1.
  CHECK(surviving_connection(0xc0000201u, 0x0a000001u) == Initiator::local);
}
