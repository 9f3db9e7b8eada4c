// rib/policy.cpp — evaluating compiled policies against one route.
#include "rib/policy.hpp"

#include <algorithm>

namespace petrel::rib {

namespace wire = petrel::bgp::wire;

namespace {

constexpr std::size_t kMaxSegmentLength = 255;  // RFC 4271 §4.3: one octet of AS count

bool any_range(const std::vector<PrefixRange>& ranges, const Prefix& prefix) {
  return std::any_of(ranges.begin(), ranges.end(), [&](const PrefixRange& r) { return r.matches(prefix); });
}

bool any_community(const std::vector<CommunityPattern>& patterns, const std::vector<uint32_t>& communities) {
  for (uint32_t c : communities)
    for (const CommunityPattern& p : patterns)
      if (p.matches(c)) return true;
  return false;
}

template <class T>
bool contains(const std::vector<T>& v, const T& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

bool peer_matches(const PeerMatch& m, const PolicyContext& ctx) {
  if (const auto* name = std::get_if<std::string>(&m.what)) return *name == ctx.peer_name;
  return std::get<Prefix>(m.what).contains(ctx.peer_address);
}

// Prepends `asn` `count` times, filling a leading AS_SEQUENCE up to its limit
// and starting a new one when the path starts with an AS_SET, a confederation
// segment or a full sequence.
void prepend(wire::AsPath& path, uint32_t asn, unsigned count) {
  while (count > 0) {
    if (path.segments.empty() || path.segments.front().type != wire::AsSegmentType::sequence ||
        path.segments.front().asns.size() >= kMaxSegmentLength)
      path.segments.insert(path.segments.begin(), wire::AsPathSegment{wire::AsSegmentType::sequence, {}});
    std::vector<uint32_t>& asns = path.segments.front().asns;
    const std::size_t n = std::min<std::size_t>(count, kMaxSegmentLength - asns.size());
    asns.insert(asns.begin(), n, asn);
    count -= static_cast<unsigned>(n);
  }
}

// Same convention as export_rules.cpp: an IPv4 next hop is also the NEXT_HOP
// attribute; a new global next hop has no link-local partner we know of.
void set_next_hop(RouteAttrs& attrs, const IpAddress& nh) {
  attrs.next_hop = nh;
  attrs.link_local_next_hop.reset();
  if (nh.is_v4())
    attrs.attrs.next_hop = nh;
  else
    attrs.attrs.next_hop.reset();
}

}  // namespace

std::string_view to_string(Verdict v) { return v == Verdict::accept ? "accept" : "reject"; }

std::string_view to_string(RuleAction a) {
  switch (a) {
    case RuleAction::accept: return "accept";
    case RuleAction::reject: return "reject";
    case RuleAction::next: return "next";
  }
  return "?";
}

bool matches(const Match& m, const Prefix& prefix, const RouteAttrs& attrs, const PolicyContext& ctx) noexcept {
  const wire::PathAttributes& a = attrs.attrs;
  if (m.family && prefix.family() != *m.family) return false;
  if (m.prefix_set && !any_range(*m.prefix_set, prefix)) return false;
  if (m.prefix && !any_range(*m.prefix, prefix)) return false;
  if (m.community && !any_community(*m.community, a.communities)) return false;
  if (m.large_community &&
      std::none_of(m.large_community->begin(), m.large_community->end(),
                   [&](const wire::LargeCommunity& lc) { return contains(a.large_communities, lc); }))
    return false;
  if (m.as_path_contains) {
    if (!a.as_path) return false;
    if (std::none_of(m.as_path_contains->begin(), m.as_path_contains->end(),
                     [&](uint32_t asn) { return a.as_path->contains(asn); }))
      return false;
  }
  if (m.originates_from) {
    const std::optional<uint32_t> origin = a.as_path ? a.as_path->origin_as() : std::nullopt;
    if (!origin || !contains(*m.originates_from, *origin)) return false;
  }
  if (m.as_path_length) {
    const std::size_t len = a.as_path ? a.as_path->length() : 0;  // no AS_PATH: an empty one
    if (len < m.as_path_length->min || len > m.as_path_length->max) return false;
  }
  if (m.peer && std::none_of(m.peer->begin(), m.peer->end(), [&](const PeerMatch& p) { return peer_matches(p, ctx); }))
    return false;
  return true;
}

bool apply(const SetActions& s, RouteAttrs& attrs, const PolicyContext& ctx) noexcept {
  wire::PathAttributes& a = attrs.attrs;
  if (s.local_pref) a.local_pref = *s.local_pref;
  if (s.med) a.med = *s.med;
  if (s.origin) a.origin = *s.origin;
  if (!s.communities_remove.empty())
    std::erase_if(a.communities, [&](uint32_t c) {
      return std::any_of(s.communities_remove.begin(), s.communities_remove.end(),
                         [&](const CommunityPattern& p) { return p.matches(c); });
    });
  for (uint32_t c : s.communities_add)
    if (!contains(a.communities, c)) a.communities.push_back(c);
  if (!s.large_communities_remove.empty())
    std::erase_if(a.large_communities,
                  [&](const wire::LargeCommunity& lc) { return contains(s.large_communities_remove, lc); });
  for (const wire::LargeCommunity& lc : s.large_communities_add)
    if (!contains(a.large_communities, lc)) a.large_communities.push_back(lc);
  if (s.as_path_prepend) {
    const uint32_t asn = s.as_path_prepend->asn.value_or(ctx.local_as);
    if (asn == 0) return false;
    if (!a.as_path) a.as_path.emplace();
    prepend(*a.as_path, asn, s.as_path_prepend->count);
  }
  if (s.next_hop) {
    if (s.next_hop->self) {
      if (!ctx.self_next_hop) return false;
      set_next_hop(attrs, *ctx.self_next_hop);
    } else {
      set_next_hop(attrs, s.next_hop->address);
    }
  }
  return true;
}

Verdict evaluate(const Policy& p, const Prefix& prefix, RouteAttrs& attrs, const PolicyContext& ctx) noexcept {
  for (const Rule& r : p.rules()) {
    if (!matches(r.match, prefix, attrs, ctx)) continue;
    if (r.action == RuleAction::reject) return Verdict::reject;
    if (!apply(r.set, attrs, ctx)) return Verdict::reject;
    if (r.action == RuleAction::accept) return Verdict::accept;
  }
  return Verdict::reject;  // no rule decided: implicit reject
}

const Policy* PolicySet::find(std::string_view name) const {
  auto it = policies.find(name);
  return it == policies.end() ? nullptr : &it->second;
}

}  // namespace petrel::rib
