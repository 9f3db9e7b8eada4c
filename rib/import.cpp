#include "rib/import.hpp"

#include <algorithm>

#include "rib/graceful_shutdown.hpp"

namespace petrel::rib {

namespace wire = bgp::wire;

std::size_t count_as(const wire::AsPath& path, uint32_t asn) {
  std::size_t n = 0;
  for (const auto& s : path.segments) {
    if (s.type == wire::AsSegmentType::confed_sequence || s.type == wire::AsSegmentType::confed_set) continue;
    n += static_cast<std::size_t>(std::count(s.asns.begin(), s.asns.end(), asn));
  }
  return n;
}

wire::NotificationMessage max_prefix_notification(wire::Family family, uint32_t limit) {
  const auto as = wire::to_afi_safi(family);
  return {wire::err::cease,
          wire::err::max_prefixes,
          {static_cast<uint8_t>(as.afi >> 8), static_cast<uint8_t>(as.afi), as.safi, static_cast<uint8_t>(limit >> 24),
           static_cast<uint8_t>(limit >> 16), static_cast<uint8_t>(limit >> 8), static_cast<uint8_t>(limit)}};
}

namespace {

enum class Reject { none, as_loop, originator, cluster_loop, first_as };

// Why the route must not be used, if it must not.
Reject check(const wire::PathAttributes& a, const PeerInfo& from, const ImportSettings& s) {
  if (a.as_path && count_as(*a.as_path, s.local_as) > s.allow_own_as) return Reject::as_loop;
  // RFC 4456 §8: a reflected route that comes back to its originator, or to a
  // reflector of a cluster it already passed, is dropped.
  if (a.originator_id && *a.originator_id == s.router_id) return Reject::originator;
  const uint32_t cluster = s.cluster_id ? s.cluster_id : s.router_id;
  if (std::find(a.cluster_list.begin(), a.cluster_list.end(), cluster) != a.cluster_list.end()) return Reject::cluster_loop;
  // RFC 4271 §6.3: an external peer's path must start with its own AS.
  if (from.external && s.enforce_first_as && (!a.as_path || a.as_path->first_as() != from.peer_as))
    return Reject::first_as;
  return Reject::none;
}

void count(Reject r, ImportState& st) {
  switch (r) {
    case Reject::as_loop: ++st.rejected_as_loop; break;
    case Reject::originator: ++st.rejected_originator; break;
    case Reject::cluster_loop: ++st.rejected_cluster_loop; break;
    case Reject::first_as: ++st.rejected_first_as; break;
    case Reject::none: break;
  }
}

}  // namespace

namespace {

void withdraw_path(Rib& rib, PeerId peer, const Prefix& prefix, uint32_t path_id, ImportState& st, ImportReport& report) {
  if (rib.withdraw(peer, prefix, path_id)) {
    ++report.withdrawn;
    --st.prefixes;
  }
}

// One route that passed the protocol's checks: import policy, the prefix limit,
// then the Rib. `id` holds `ra` interned; the caller keeps its reference.
void admit(Rib& rib, PeerId peer, const Prefix& prefix, uint32_t path_id, AttrId id, const RouteAttrs& ra,
           uint8_t flags, const ImportSettings& s, ImportState& st, ImportReport& report) {
  AttrId use = id;
  // RFC 8326 §4.1: an external peer is about to go away; any other path wins.
  // After import policy, as in FRR, so that a policy setting LOCAL_PREF for all
  // of a peer's routes does not defeat it. Internal peers' LOCAL_PREF is their
  // own (a draining iBGP speaker lowers it itself, §4.2).
  const bool honour = s.honour_graceful_shutdown && rib.peer(peer).external;
  if (s.policy || (honour && has_graceful_shutdown(ra))) {
    // Policy works per prefix: a rewrite gets its own (interned) set.
    RouteAttrs rewritten = ra;
    if (s.policy && !s.policy(prefix, rewritten)) {
      ++st.rejected_by_policy;
      ++report.rejected;
      withdraw_path(rib, peer, prefix, path_id, st, report);
      return;
    }
    if (honour) honour_graceful_shutdown(rewritten);
    if (!(rewritten == ra)) use = rib.attrs().intern(rewritten);
    else rib.attrs().acquire(id);
  } else {
    rib.attrs().acquire(id);
  }
  // At the limit, new prefixes are refused (replacing a held one is fine);
  // with `restart` the caller then ends the session.
  const bool at_limit =
      s.max_prefix && s.max_prefix->action != MaxPrefix::Action::warn && st.prefixes >= s.max_prefix->limit;
  if (at_limit && !rib.has_path(peer, prefix, path_id)) {
    report.limit = s.max_prefix->action == MaxPrefix::Action::restart ? LimitEvent::restart : LimitEvent::blocked;
    ++st.rejected_over_limit;
    ++report.rejected;
    rib.attrs().release(use);
    return;
  }
  if (rib.announce(peer, prefix, path_id, use, flags)) ++st.prefixes;
  ++report.announced;
}

// The warn action: reported once each time the count goes over the limit.
void check_warning(const ImportSettings& s, ImportState& st, ImportReport& report) {
  if (!s.max_prefix || s.max_prefix->action != MaxPrefix::Action::warn) return;
  if (st.prefixes > s.max_prefix->limit && !st.warned) {
    st.warned = true;
    report.limit = LimitEvent::warning;
  } else if (st.prefixes <= s.max_prefix->limit) {
    st.warned = false;
  }
}

}  // namespace

ImportReport import_update(Rib& rib, PeerId peer, const wire::Update& u, const ImportSettings& s, ImportState& st,
                           AdjRibIn* pre_policy) {
  ImportReport report;
  auto withdraw = [&](const wire::NlriView& view) {
    for (const auto e : view) {
      withdraw_path(rib, peer, e.prefix, e.path_id, st, report);
      if (pre_policy) pre_policy->erase(e.prefix, e.path_id);
    }
  };
  withdraw(u.withdrawn);
  if (u.mp_unreach) withdraw(u.mp_unreach->nlri);

  // RFC 7606 §2: treat-as-withdraw (not kept in the Adj-RIB-In either: the
  // attributes are not trusted).
  if (u.action == wire::ErrorAction::treat_as_withdraw) {
    st.treated_as_withdraw += u.nlri.size() + (u.mp_reach ? u.mp_reach->nlri.size() : 0);
    report.rejected += u.nlri.size() + (u.mp_reach ? u.mp_reach->nlri.size() : 0);
    withdraw(u.nlri);
    if (u.mp_reach) withdraw(u.mp_reach->nlri);
    return report;
  }
  // Routes this router must not use are treated as withdrawn too (an earlier
  // version from this peer must go), but kept as received: a later change of
  // allow-own-as re-evaluates them.
  const Reject reject = u.has_announcements() ? check(u.attrs, rib.peer(peer), s) : Reject::none;
  count(reject, st);

  // RFC 9494 §4.3: a route marked LLGR_STALE by its sender is least preferred.
  const bool llgr = std::find(u.attrs.communities.begin(), u.attrs.communities.end(), wire::community::llgr_stale) !=
                    u.attrs.communities.end();
  const uint8_t flags = llgr ? path_flag::llgr_stale : 0;

  auto announce = [&](const wire::NlriView& view, const IpAddress& next_hop, const std::optional<IpAddress>& link_local) {
    if (view.empty()) return;
    const RouteAttrs ra{u.attrs, next_hop, link_local};
    const AttrId id = rib.attrs().intern(ra);  // one reference for this UPDATE, handed out per prefix
    for (const auto e : view) {
      if (pre_policy) pre_policy->put(e.prefix, e.path_id, id, flags);
      if (reject != Reject::none) {
        ++report.rejected;
        withdraw_path(rib, peer, e.prefix, e.path_id, st, report);
        continue;
      }
      admit(rib, peer, e.prefix, e.path_id, id, ra, flags, s, st, report);
    }
    rib.attrs().release(id);
  };
  if (!u.nlri.empty() && u.attrs.next_hop) announce(u.nlri, *u.attrs.next_hop, std::nullopt);
  if (u.mp_reach) announce(u.mp_reach->nlri, u.mp_reach->next_hop.global, u.mp_reach->next_hop.link_local);
  check_warning(s, st, report);
  return report;
}

ImportReport reimport(Rib& rib, PeerId peer, const AdjRibIn& received, const ImportSettings& s, ImportState& st) {
  ImportReport report;
  received.for_each([&](const Prefix& prefix, uint32_t path_id, const AdjRibIn::Route& route) {
    const RouteAttrs& ra = rib.attrs().get(route.attrs);
    const Reject reject = check(ra.attrs, rib.peer(peer), s);
    if (reject != Reject::none) {
      count(reject, st);
      ++report.rejected;
      withdraw_path(rib, peer, prefix, path_id, st, report);
      return;
    }
    // admit() may intern (a policy rewrite), which can move the store's slots:
    // work on a copy.
    const RouteAttrs copy = ra;
    admit(rib, peer, prefix, path_id, route.attrs, copy, route.flags, s, st, report);
  });
  check_warning(s, st, report);
  return report;
}

}  // namespace petrel::rib
