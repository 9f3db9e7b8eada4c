// rib/best_path.cpp — the decision steps, deterministic-MED selection, ECMP.
#include "rib/best_path.hpp"

#include <boost/container/small_vector.hpp>

#include <algorithm>

namespace petrel::rib {

namespace {

using bgp::wire::AsPath;
using bgp::wire::AsSegmentType;
using bgp::wire::Origin;
using bgp::wire::PathAttributes;

const PathAttributes kNoAttributes{};
const PeerInfo kNoPeer{};
const AsPath kEmptyPath{};

const PathAttributes& attrs_of(const Candidate& c) { return c.attrs ? *c.attrs : kNoAttributes; }
const PeerInfo& peer_of(const Candidate& c) { return c.peer ? *c.peer : kNoPeer; }

const AsPath* as_path_of(const Candidate& c) {
  const auto& p = attrs_of(c).as_path;
  return p ? &*p : nullptr;
}

// The neighbouring AS that RFC 4271 §9.1.2.2 (c) compares MED within.
struct Neighbour {
  enum Kind : uint8_t {
    local,    // no AS outside our own (confederation): absent or empty AS_PATH, or only confed segments
    as,       // the first AS of a leading AS_SEQUENCE (after confed segments)
    unknown,  // the path starts with an AS_SET: no neighbour AS, MED compared with nothing
  };
  Kind kind = local;
  uint32_t asn = 0;
};

Neighbour neighbour_of(const Candidate& c) {
  const AsPath* p = as_path_of(c);
  if (!p) return {};
  if (const auto first = p->first_as()) return {Neighbour::as, *first};
  for (const auto& s : p->segments)
    if (s.type != AsSegmentType::confed_sequence && s.type != AsSegmentType::confed_set)
      return {Neighbour::unknown, 0};
  return {};
}

bool same_neighbour(const Neighbour& a, const Neighbour& b) {
  if (a.kind != b.kind || a.kind == Neighbour::unknown) return false;
  return a.kind == Neighbour::local || a.asn == b.asn;
}

bool same_as_path(const Candidate& a, const Candidate& b) {
  const AsPath* pa = as_path_of(a);
  const AsPath* pb = as_path_of(b);
  return (pa ? *pa : kEmptyPath) == (pb ? *pb : kEmptyPath);
}

// One step's verdict: the lower value wins; equal values leave it to the next step.
template <class T>
Comparison lower_wins(const T& a, const T& b, Step step) {
  if (a < b) return {-1, step};
  if (b < a) return {+1, step};
  return {};
}

template <class T>
Comparison higher_wins(const T& a, const T& b, Step step) {
  return lower_wins(b, a, step);
}

enum class MedRule : uint8_t {
  pairwise,  // RFC 4271 §9.1.2.2 (c): only between the same neighbour AS (or always, by option)
  skip,      // merging the groups of select(): each group already applied MED inside
};

Comparison decide(const Candidate& a, const Candidate& b, const BestPathOptions& o, MedRule med) {
  const PathAttributes& aa = attrs_of(a);
  const PathAttributes& ba = attrs_of(b);
  const PeerInfo& ap = peer_of(a);
  const PeerInfo& bp = peer_of(b);

  // 1. RFC 4271 §9.1.2.1: a route whose NEXT_HOP does not resolve MUST be excluded
  // from phase 2. select() never chooses such a path; compare() ranks it below any
  // reachable one, and compares two unreachable paths on the remaining steps so
  // that it stays total.
  if (auto r = lower_wins(!a.reachable, !b.reachable, Step::reachability); r.winner) return r;

  // 2. RFC 9494 §4.3: a long-lived stale route is treated as the least preferred
  // in route selection. Petrel puts this before LOCAL_PREF, so a stale path loses to
  // any fresh one whatever its attributes; two stale paths go on to the next steps.
  if (auto r = lower_wins(a.llgr_stale, b.llgr_stale, Step::llgr_stale); r.winner) return r;

  // 3. RFC 4271 §9.1.1 / §9.1.2: the degree of preference is LOCAL_PREF; higher
  // wins. The codec discards LOCAL_PREF from external peers (RFC 4271 §5.1.5,
  // RFC 7606 §7.5), so here it is absent unless an internal peer or import policy
  // set it; absent reads as options.default_local_pref.
  if (auto r = higher_wins(aa.local_pref.value_or(o.default_local_pref),
                           ba.local_pref.value_or(o.default_local_pref), Step::local_pref);
      r.winner)
    return r;

  // 4. Not in RFC 4271: like Cisco and FRR (which weigh local routes 32768), Petrel
  // prefers a path it originates itself (static, Kubernetes) to any learned path
  // of equal LOCAL_PREF.
  if (auto r = higher_wins(ap.local, bp.local, Step::local_origin); r.winner) return r;

  // 5. RFC 4271 §9.1.2.2 (a): fewest ASes in AS_PATH; an AS_SET counts 1 and
  // confederation segments count 0 (RFC 5065 §5.3), as AsPath::length() does. An
  // absent AS_PATH (a local route) counts 0.
  const AsPath* a_path = as_path_of(a);
  const AsPath* b_path = as_path_of(b);
  const std::size_t a_len = a_path ? a_path->length() : 0;
  const std::size_t b_len = b_path ? b_path->length() : 0;
  if (auto r = lower_wins(a_len, b_len, Step::as_path_length); r.winner) return r;

  // 6. RFC 4271 §9.1.2.2 (b): lowest ORIGIN (IGP < EGP < INCOMPLETE). An absent
  // ORIGIN (a local route without one) reads as INCOMPLETE, the least preferred.
  const auto origin_rank = [](const PathAttributes& p) {
    return static_cast<uint8_t>(p.origin.value_or(Origin::incomplete));
  };
  if (auto r = lower_wins(origin_rank(aa), origin_rank(ba), Step::origin); r.winner) return r;

  // 7. RFC 4271 §9.1.2.2 (c): lowest MULTI_EXIT_DISC, comparable only between
  // routes from the same neighbouring AS, which the AS_PATH determines (its first
  // AS after any confederation segments; local routes and paths with no AS outside
  // the confederation count as one neighbour, our own AS; a path that starts with
  // an AS_SET has none and is compared with nothing). A missing MED is the lowest
  // possible value (0), or the highest with missing_med_worst;
  // always_compare_med compares across neighbours too.
  // compare() applies this pairwise, which is not transitive; select() groups by
  // neighbour AS first ("deterministic MED") so that its answer is order-free.
  if (med == MedRule::pairwise && (o.always_compare_med || same_neighbour(neighbour_of(a), neighbour_of(b)))) {
    const uint32_t missing = o.missing_med_worst ? UINT32_MAX : 0;
    if (auto r = lower_wins(aa.med.value_or(missing), ba.med.value_or(missing), Step::med); r.winner) return r;
  }

  // 8. RFC 4271 §9.1.2.2 (d): a route received via eBGP beats one via iBGP. A
  // confederation peer counts as internal (PeerInfo::external).
  if (auto r = higher_wins(ap.external, bp.external, Step::ebgp_over_ibgp); r.winner) return r;

  // 9. RFC 4271 §9.1.2.2 (e): lowest interior cost to the NEXT_HOP, as next-hop
  // resolution reported it (Candidate::igp_cost).
  if (auto r = lower_wins(a.igp_cost, b.igp_cost, Step::igp_cost); r.winner) return r;

  // 10. RFC 4271 §9.1.2.2 (f): lowest BGP Identifier of the advertising speaker;
  // RFC 4456 §9: a reflected route's ORIGINATOR_ID stands in for it.
  if (auto r = lower_wins(aa.originator_id.value_or(ap.router_id), ba.originator_id.value_or(bp.router_id),
                          Step::router_id);
      r.winner)
    return r;

  // 11. RFC 4456 §9: between steps (f) and (g), shortest CLUSTER_LIST (absent = 0).
  if (auto r = lower_wins(aa.cluster_list.size(), ba.cluster_list.size(), Step::cluster_list_length); r.winner)
    return r;

  // 12. RFC 4271 §9.1.2.2 (g): lowest peer address (IpAddress ordering: IPv4
  // before IPv6, then bytewise).
  if (auto r = lower_wins(ap.address, bp.address, Step::peer_address); r.winner) return r;

  // 13. Not in RFC 7911: with ADD-PATH one peer may send several paths that tie on
  // everything above; Petrel takes the lowest path identifier so the choice is
  // deterministic.
  return lower_wins(a.path_id, b.path_id, Step::path_id);
}

}  // namespace

std::string_view to_string(Step step) {
  switch (step) {
    case Step::none: return "equal";
    case Step::reachability: return "next-hop reachability";
    case Step::llgr_stale: return "LLGR stale";
    case Step::local_pref: return "LOCAL_PREF";
    case Step::local_origin: return "locally originated";
    case Step::as_path_length: return "AS_PATH length";
    case Step::origin: return "ORIGIN";
    case Step::med: return "MED";
    case Step::ebgp_over_ibgp: return "eBGP over iBGP";
    case Step::igp_cost: return "IGP cost";
    case Step::router_id: return "router id";
    case Step::cluster_list_length: return "CLUSTER_LIST length";
    case Step::peer_address: return "peer address";
    case Step::path_id: return "path id";
  }
  return "unknown";
}

Comparison compare(const Candidate& a, const Candidate& b, const BestPathOptions& o) {
  return decide(a, b, o, MedRule::pairwise);
}

bool multipath_equal(const Candidate& a, const Candidate& b, const BestPathOptions& o) {
  if (!a.reachable || !b.reachable) return false;
  // Equal through step 9: either fully equal, or decided by a tie-break after it.
  const Comparison c = compare(a, b, o);
  if (c.winner != 0 && c.step <= Step::igp_cost) return false;
  return o.multipath_relax || same_as_path(a, b);
}

Selection select(std::span<const Candidate> candidates, const BestPathOptions& o) {
  Selection out;
  // Small buffers: a prefix rarely has more than a handful of paths.
  using Indices = boost::container::small_vector<std::size_t, 8>;

  // Only reachable paths are eligible (RFC 4271 §9.1.2.1).
  Indices eligible;
  for (std::size_t i = 0; i < candidates.size(); ++i)
    if (candidates[i].reachable) eligible.push_back(i);
  if (eligible.empty()) return out;

  // Group by neighbour AS: group[k] is the group of eligible[k], numbered by its
  // first member. With always_compare_med there is one group: MED applies across
  // all, and compare() is then a plain lexicographic order. Paths starting with
  // an AS_SET have no neighbour AS and are groups of their own.
  Indices group(eligible.size());
  {
    boost::container::small_vector<Neighbour, 8> key;
    for (std::size_t k = 0; k < eligible.size(); ++k) {
      key.push_back(neighbour_of(candidates[eligible[k]]));
      group[k] = k;
      if (o.always_compare_med) {
        group[k] = 0;
        continue;
      }
      for (std::size_t j = 0; j < k; ++j)
        if (same_neighbour(key[j], key[k])) {
          group[k] = group[j];
          break;
        }
    }
  }

  // Rank each group with every step, MED included (all members share a neighbour
  // AS, so compare() is transitive here; equal candidates fall back on index).
  // `order` holds positions into `eligible`, group by group.
  Indices order(eligible.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    if (group[x] != group[y]) return group[x] < group[y];
    const Comparison c = compare(candidates[eligible[x]], candidates[eligible[y]], o);
    return c.winner != 0 ? c.winner < 0 : eligible[x] < eligible[y];
  });

  // Each group is a run in `order`: [head, end), the head advancing as it is taken.
  struct Run {
    std::size_t head, end;
  };
  boost::container::small_vector<Run, 8> runs;
  for (std::size_t k = 0; k < order.size(); ++k)
    if (k == 0 || group[order[k]] != group[order[k - 1]]) {
      if (!runs.empty()) runs.back().end = k;
      runs.push_back({k, order.size()});
    }

  // Merge the groups into one preference order: repeatedly take the best head,
  // comparing heads without MED (different neighbour ASes: RFC 4271 §9.1.2.2 (c)
  // does not compare them). Without MED the steps are a lexicographic order, so
  // the merge does not depend on the order of the candidates either.
  Indices ranking;
  do {
    Run* pick = nullptr;
    for (Run& r : runs) {
      if (r.head == r.end) continue;
      if (!pick) {
        pick = &r;
        continue;
      }
      const std::size_t x = eligible[order[r.head]];
      const std::size_t y = eligible[order[pick->head]];
      const Comparison c = decide(candidates[x], candidates[y], o, MedRule::skip);
      if (c.winner < 0 || (c.winner == 0 && x < y)) pick = &r;
    }
    ranking.push_back(eligible[order[pick->head++]]);
  } while (ranking.size() < eligible.size());

  const std::size_t best = ranking.front();
  out.best = best;
  // The runner-up is either in best's group (MED applied) or heads another group
  // that best beat without MED: compare() gives that same verdict in both cases.
  if (ranking.size() > 1) out.reason = compare(candidates[best], candidates[ranking[1]], o).step;

  const std::size_t width = std::max<std::size_t>(o.max_paths, 1);
  out.multipath.push_back(best);
  // The ECMP set is pairwise equal: with multipath_relax, two paths from one
  // neighbour AS may each equal best (from another AS, MED not compared) and still
  // differ on MED between themselves; the one later in preference order stays out.
  for (std::size_t k = 1; k < ranking.size() && out.multipath.size() < width; ++k) {
    const Candidate& c = candidates[ranking[k]];
    if (std::all_of(out.multipath.begin(), out.multipath.end(),
                    [&](std::size_t m) { return multipath_equal(candidates[m], c, o); }))
      out.multipath.push_back(ranking[k]);
  }
  return out;
}

}  // namespace petrel::rib
