#include "bgp/fsm/negotiate.hpp"

#include <algorithm>

namespace petrel::bgp::fsm {

using namespace wire;

bool RemoteAs::accepts(uint32_t peer_as, uint32_t local_as) const {
  switch (kind) {
    case Kind::exact: return peer_as == asn;
    case Kind::internal: return peer_as == local_as;
    case Kind::external: return peer_as != local_as;
  }
  return false;
}

wire::CodecContext Negotiated::codec_context() const {
  CodecContext c;
  c.four_octet_as = four_octet_as;
  c.extended_message = extended_message;
  c.add_path_receive = add_path_receive;
  c.add_path_send = add_path_send;
  c.ipv4_with_ipv6_next_hop = ipv4_with_ipv6_next_hop;
  c.external_peer = external;
  return c;
}

OpenMessage build_local_open(const SessionSettings& s) {
  OpenMessage o;
  o.my_as = s.local_as > 0xffff ? kAsTrans : static_cast<uint16_t>(s.local_as);
  o.hold_time = s.hold_time;
  o.bgp_identifier = s.router_id;
  auto& c = o.capabilities;
  for (Family f : s.families) c.multiprotocol.push_back(to_afi_safi(f));
  c.route_refresh = s.route_refresh;
  c.enhanced_route_refresh = s.route_refresh;
  c.four_octet_as = s.local_as;
  c.extended_message = s.extended_message;
  if (s.extended_next_hop) c.extended_next_hop.push_back({kAfiIpv4, kSafiUnicast, kAfiIpv6});
  for (Family f : s.families) {
    const bool rx = s.add_path_receive[index(f)], tx = s.add_path_send[index(f)];
    if (rx || tx)
      c.add_path.push_back({to_afi_safi(f), rx && tx ? AddPathMode::both : rx ? AddPathMode::receive : AddPathMode::send});
  }
  if (s.graceful_restart) {
    const auto& gr = *s.graceful_restart;
    GracefulRestartCapability cap{gr.restarting, /*notification=*/true, gr.restart_time, {}};
    for (Family f : s.families) cap.families.push_back({to_afi_safi(f), gr.forwarding_preserved[index(f)]});
    c.graceful_restart = std::move(cap);
    if (gr.long_lived_stale_time) {
      std::vector<LongLivedGrFamily> ll;
      for (Family f : s.families) ll.push_back({to_afi_safi(f), gr.forwarding_preserved[index(f)], *gr.long_lived_stale_time});
      c.long_lived_gr = std::move(ll);
    }
  }
  c.hostname = s.hostname;
  return o;
}

namespace {

NotificationMessage open_error(uint8_t subcode, std::vector<uint8_t> data = {}) {
  return NotificationMessage{err::open, subcode, std::move(data)};
}

bool sends(AddPathMode m) { return m == AddPathMode::send || m == AddPathMode::both; }
bool receives(AddPathMode m) { return m == AddPathMode::receive || m == AddPathMode::both; }

}  // namespace

Result<Negotiated, NotificationMessage> negotiate(const SessionSettings& s, const OpenMessage& local,
                                                  const OpenMessage& remote) {
  const auto& rc = remote.capabilities;
  Negotiated n;
  n.peer_as = remote.peer_as();
  n.peer_router_id = remote.bgp_identifier;
  n.external = n.peer_as != s.local_as;

  // RFC 4271 §6.2 and RFC 6793 §4.1: the peer must be the AS we expect. A 2-octet
  // AS_TRANS without the 4-octet capability names no real AS.
  if (!s.remote_as.accepts(n.peer_as, s.local_as) || (remote.my_as == kAsTrans && !rc.four_octet_as))
    return open_error(err::bad_peer_as);
  // RFC 6286 §2.2: within an AS the identifiers must differ.
  if (!n.external && remote.bgp_identifier == s.router_id) return open_error(err::bad_bgp_identifier);

  // RFC 4271 §4.2: the smaller hold time wins; zero means none.
  n.hold_time = std::min(s.hold_time, remote.hold_time);
  if (n.hold_time != 0) {
    const uint16_t third = static_cast<uint16_t>(std::max(1, n.hold_time / 3));
    n.keepalive_time = s.keepalive_time ? std::min(s.keepalive_time, third) : third;
  }

  // RFC 4760 §8: a peer without multiprotocol capabilities speaks IPv4 unicast only.
  std::array<bool, kFamilyCount> theirs{};
  if (rc.multiprotocol.empty()) {
    theirs[index(Family::ipv4_unicast)] = true;
  } else {
    for (auto as : rc.multiprotocol)
      if (auto f = to_family(as)) theirs[index(*f)] = true;
  }
  bool any = false;
  for (Family f : s.families) any |= n.families[index(f)] = theirs[index(f)];
  // RFC 5492 §5: nothing in common is Unsupported Capability, with the
  // capabilities we needed as data.
  if (!any) {
    std::vector<uint8_t> data;
    Capabilities ours;
    ours.multiprotocol = local.capabilities.multiprotocol;
    encode_capabilities(ours, data);
    return open_error(err::unsupported_capability, std::move(data));
  }

  n.four_octet_as = local.capabilities.four_octet_as.has_value() && rc.four_octet_as.has_value();
  n.extended_message = local.capabilities.extended_message && rc.extended_message;
  n.route_refresh = local.capabilities.route_refresh && rc.route_refresh;
  n.enhanced_route_refresh = local.capabilities.enhanced_route_refresh && rc.enhanced_route_refresh;

  // RFC 7911 §4: we receive path identifiers where we asked to receive and the
  // peer offered to send, and send them where the peer asked to receive.
  for (const auto& mine : local.capabilities.add_path) {
    const auto f = to_family(mine.afi_safi);
    if (!f || !n.families[index(*f)]) continue;
    for (const auto& peer : rc.add_path) {
      if (!(peer.afi_safi == mine.afi_safi)) continue;
      n.add_path_receive[index(*f)] = receives(mine.mode) && sends(peer.mode);
      n.add_path_send[index(*f)] = sends(mine.mode) && receives(peer.mode);
    }
  }

  // RFC 8950 §3: both sides must list IPv4 unicast over an IPv6 next hop.
  auto lists_v4_over_v6 = [](const Capabilities& c) {
    return std::any_of(c.extended_next_hop.begin(), c.extended_next_hop.end(), [](const ExtendedNextHop& e) {
      return e.nlri_afi == kAfiIpv4 && e.nlri_safi == kSafiUnicast && e.next_hop_afi == kAfiIpv6;
    });
  };
  n.ipv4_with_ipv6_next_hop = lists_v4_over_v6(local.capabilities) && lists_v4_over_v6(rc);

  if (rc.graceful_restart) {
    PeerGracefulRestart gr;
    gr.restarting = rc.graceful_restart->restarting;
    gr.notification = rc.graceful_restart->notification;
    gr.restart_time = rc.graceful_restart->restart_time;
    for (const auto& f : rc.graceful_restart->families)
      if (auto fam = to_family(f.afi_safi)) {
        gr.announced[index(*fam)] = true;
        gr.forwarding_preserved[index(*fam)] = f.forwarding_preserved;
      }
    if (rc.long_lived_gr)
      for (const auto& f : *rc.long_lived_gr)
        if (auto fam = to_family(f.afi_safi)) gr.long_lived_stale_time[index(*fam)] = f.stale_time;
    n.graceful_restart = gr;
  }
  n.peer_hostname = rc.hostname;
  n.unknown_capabilities = rc.unknown;
  return n;
}

}  // namespace petrel::bgp::fsm
