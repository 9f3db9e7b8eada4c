// rib/export_rules.cpp — see export_rules.hpp.
#include "rib/export_rules.hpp"

#include <algorithm>
#include <cstddef>
#include <vector>

namespace petrel::rib {
namespace {

namespace wire = bgp::wire;

// RFC 4271 §4.3: an AS_PATH segment holds at most 255 ASes.
constexpr std::size_t kMaxSegmentLength = 255;

bool has_community(const wire::PathAttributes& a, uint32_t c) {
  return std::find(a.communities.begin(), a.communities.end(), c) != a.communities.end();
}

// Learned from another iBGP speaker (neither originated here nor over eBGP).
bool internal_source(const SourcePeer& from) { return !from.local && !from.external; }

ExportVerdict verdict(const RouteAttrs& best, const SourcePeer& from, const ExportPeer& to) {
  const wire::PathAttributes& a = best.attrs;
  // Split horizon: a path is never sent back to the peer it came from (RFC 4271
  // §9.2 leaves it to the implementation; every implementation does it).
  if (!from.local && from.same_peer_as_target) return ExportVerdict::split_horizon;
  // RFC 8212 §3: no routes to an eBGP peer unless an export policy is configured.
  if (to.external && !to.has_export_policy) return ExportVerdict::no_export_policy;
  // RFC 1997: NO_ADVERTISE — to no BGP peer at all.
  if (has_community(a, wire::community::no_advertise)) return ExportVerdict::no_advertise;
  // RFC 1997: NO_EXPORT — not outside the AS (a confederation would count as
  // inside: Petrel has none). NO_EXPORT_SUBCONFED — not to external peers, which
  // without confederations is the same set of peers.
  if (to.external && (has_community(a, wire::community::no_export) ||
                      has_community(a, wire::community::no_export_subconfed)))
    return ExportVerdict::no_export;
  // Sender-side loop check (BIRD, FRR): the peer would drop the path on receipt
  // (RFC 4271 §9.1.2), so do not send it.
  if (to.external && a.as_path && a.as_path->contains(to.peer_as)) return ExportVerdict::as_loop;
  // RFC 4271 §9.2: a path learned over iBGP is not re-advertised to iBGP peers;
  // RFC 4456 §6 relaxes that when the source or the target is a client of ours:
  // from a client to every internal peer, from a non-client to clients only.
  if (!to.external && internal_source(from) && !from.rr_client && !to.rr_client)
    return ExportVerdict::ibgp_not_reflected;
  return ExportVerdict::advertise;
}

// RFC 4271 §5.1.2 (b): prepend our AS to the AS_PATH, as a new leading
// AS_SEQUENCE if the first segment is an AS_SET or a full sequence. RFC 5065
// §5.3: confederation segments are removed when leaving the confederation
// (Petrel runs none, so they should never be here; removing them is cheap).
wire::AsPath prepend_as(const std::optional<wire::AsPath>& path, uint32_t asn) {
  wire::AsPath out;
  if (path) {
    for (const wire::AsPathSegment& s : path->segments)
      if (s.type == wire::AsSegmentType::set || s.type == wire::AsSegmentType::sequence)
        out.segments.push_back(s);
  }
  if (!out.segments.empty() && out.segments.front().type == wire::AsSegmentType::sequence &&
      out.segments.front().asns.size() < kMaxSegmentLength) {
    std::vector<uint32_t>& asns = out.segments.front().asns;
    asns.insert(asns.begin(), asn);
  } else {
    out.segments.insert(out.segments.begin(), wire::AsPathSegment{wire::AsSegmentType::sequence, {asn}});
  }
  return out;
}

// The link-local next hop is only meaningful on the link shared with the peer:
// keep the path's when its global next hop is on that link (then the link-local
// belongs to the same neighbour on the same link), drop it otherwise.
std::optional<IpAddress> link_local_if_on_shared_link(const RouteAttrs& best, const ExportPeer& to) {
  if (to.shared_subnet && to.shared_subnet->contains(best.next_hop)) return best.link_local_next_hop;
  return std::nullopt;
}

void set_self(RouteAttrs& out, const ExportPeer& to) {
  out.next_hop = to.local_address;
  out.link_local_next_hop = to.local_link_local;
}

void rewrite_next_hop(RouteAttrs& out, const RouteAttrs& best, const SourcePeer& from, const ExportPeer& to) {
  switch (to.next_hop) {
    case NextHopMode::self:
      set_self(out, to);
      break;
    case NextHopMode::keep:
      break;  // verbatim, as copied from `best`
    case NextHopMode::explicit_address:
      if (to.next_hop_address) {
        out.next_hop = *to.next_hop_address;
        out.link_local_next_hop.reset();  // we know no link-local that goes with it
      } else {
        set_self(out, to);
      }
      break;
    case NextHopMode::automatic:
      if (to.external) {
        // RFC 4271 §5.1.3 (b): a next hop on the subnet shared with the external
        // peer may be passed on (third-party next hop); otherwise §5.1.3 (a)/(c):
        // our own address on the session.
        if (!best.next_hop.is_unspecified() && to.shared_subnet && to.shared_subnet->contains(best.next_hop)) {
          out.link_local_next_hop = link_local_if_on_shared_link(best, to);
        } else {
          set_self(out, to);
        }
      } else if (from.local && best.next_hop.is_unspecified()) {
        // A route we originate without a next hop (a blackhole, a pod CIDR):
        // internal peers reach it through us.
        set_self(out, to);
      } else {
        // RFC 4271 §5.1.3 (a) and RFC 4456 §10: iBGP (and a reflector) keeps
        // the next hop.
        out.link_local_next_hop = link_local_if_on_shared_link(best, to);
      }
      break;
  }
  // RFC 2545 §3: a link-local next hop goes only with an IPv6 global one. The
  // IPv4 NEXT_HOP attribute mirrors an IPv4 next hop and is absent otherwise
  // (the next hop then travels in MP_REACH_NLRI).
  if (out.next_hop.is_v4()) {
    out.link_local_next_hop.reset();
    out.attrs.next_hop = out.next_hop;
  } else {
    out.attrs.next_hop.reset();
  }
  if (out.link_local_next_hop && !out.link_local_next_hop->is_v6()) out.link_local_next_hop.reset();
}

}  // namespace

std::string_view to_string(ExportVerdict v) {
  switch (v) {
    case ExportVerdict::advertise: return "advertise";
    case ExportVerdict::split_horizon: return "split-horizon";
    case ExportVerdict::no_advertise: return "no-advertise";
    case ExportVerdict::no_export: return "no-export";
    case ExportVerdict::ibgp_not_reflected: return "ibgp-not-reflected";
    case ExportVerdict::no_export_policy: return "no-export-policy";
    case ExportVerdict::as_loop: return "as-loop";
  }
  return "unknown";
}

ExportResult export_route(const RouteAttrs& best, const SourcePeer& from, const ExportPeer& to,
                          const LocalSpeaker& me) {
  ExportResult result;
  result.verdict = verdict(best, from, to);
  if (result.verdict != ExportVerdict::advertise) return result;

  RouteAttrs& out = result.attrs;
  out = best;
  wire::PathAttributes& a = out.attrs;
  if (to.external) {
    a.as_path = prepend_as(a.as_path, me.local_as);
    // RFC 4271 §5.1.5: LOCAL_PREF is not sent to external peers.
    a.local_pref.reset();
    // RFC 4456 §8: ORIGINATOR_ID and CLUSTER_LIST are optional non-transitive
    // and stay inside the AS.
    a.originator_id.reset();
    a.cluster_list.clear();
    // RFC 4271 §5.1.4: a MED received from a neighbouring AS is not passed on to
    // other neighbouring ASes. Only a locally originated route keeps its MED; one
    // learned over iBGP may carry a neighbour's MED, so it is dropped as well.
    if (!from.local) a.med.reset();
  } else {
    // RFC 4271 §5.1.5: LOCAL_PREF is included in every UPDATE to an internal peer.
    if (!a.local_pref) a.local_pref = me.default_local_pref;
    if (internal_source(from)) {
      // RFC 4456 §8: reflecting an iBGP-learned path. ORIGINATOR_ID names the
      // router that introduced the path into the AS and is kept if present; the
      // reflector's CLUSTER_ID is prepended to CLUSTER_LIST (created if empty).
      if (!a.originator_id) a.originator_id = from.router_id;
      uint32_t cluster = me.cluster_id != 0 ? me.cluster_id : me.router_id;
      a.cluster_list.insert(a.cluster_list.begin(), cluster);
    }
  }
  rewrite_next_hop(out, best, from, to);
  return result;
}

}  // namespace petrel::rib
