// rib/best_path.hpp — the BGP decision process (RFC 4271 §9.1.2, phase 2): which
// of a prefix's candidate paths is best, the step that decided it, and which
// paths may share forwarding with it (ECMP).
//
// Pure functions of their arguments: no state, no logging, no I/O, no clock;
// compare() allocates nothing, select() only its result and a few small buffers.
// Runs on the RIB's thread but touches nothing except its arguments. It must not
// know about sessions, policy or the kernel: the caller has applied import
// policy, resolved next hops (Candidate::reachable, igp_cost) and marked LLGR
// staleness before asking. No errors: every input has an answer; a Candidate
// with null attrs or peer reads as one with empty attributes / a default peer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "rib/candidate.hpp"

namespace petrel::rib {

// The numbered steps, in order. The deciding step of a comparison is reported so
// the shell can say why a path won. Steps after igp_cost are tie-breaks: paths
// equal up to them may share forwarding (multipath_equal).
enum class Step : uint8_t {
  none = 0,             // equal on every step (same path)
  reachability,         // 1. a path whose next hop does not resolve is not eligible
  llgr_stale,           // 2. RFC 9494 §4.3: long-lived stale paths lose to any other
  local_pref,           // 3. higher LOCAL_PREF (absent: BestPathOptions::default_local_pref)
  local_origin,         // 4. a locally originated path beats learned ones
  as_path_length,       // 5. shorter AS_PATH (AsPath::length()); absent = 0
  origin,               // 6. lower ORIGIN (IGP < EGP < INCOMPLETE); absent = INCOMPLETE
  med,                  // 7. lower MED, between paths from the same neighbour AS
  ebgp_over_ibgp,       // 8. a path from an external peer beats one from an internal peer
  igp_cost,             // 9. lower IGP cost to the next hop
  router_id,            // 10. lower ORIGINATOR_ID if present, else the peer's BGP identifier
  cluster_list_length,  // 11. shorter CLUSTER_LIST
  peer_address,         // 12. lower peer address (IpAddress ordering)
  path_id,              // 13. lower ADD-PATH path identifier
};

// "LOCAL_PREF", "AS_PATH length", "MED", "eBGP over iBGP", "IGP cost", ...
std::string_view to_string(Step step);

struct BestPathOptions {
  uint32_t default_local_pref = 100;
  bool always_compare_med = false;  // compare MED across neighbour ASes too
  bool missing_med_worst = false;   // an absent MED reads as 4294967295 instead of 0
  std::size_t max_paths = 1;        // ECMP width (1: no multipath; 0 reads as 1)
  bool multipath_relax = false;     // ECMP across different AS paths of equal length
};

struct Comparison {
  int winner = 0;           // -1: a is better, +1: b is better, 0: equal through every step
  Step step = Step::none;   // the step that decided
  friend bool operator==(const Comparison&, const Comparison&) = default;
};

// The steps in order, MED applied pairwise (only between paths from the same
// neighbour AS unless always_compare_med). Total and antisymmetric:
// compare(a, b) and compare(b, a) name opposite winners on the same step. Not
// transitive when MED is not always compared (RFC 4271 §9.1.2.2 (c) makes it so):
// use select() to choose among more than two paths.
Comparison compare(const Candidate& a, const Candidate& b, const BestPathOptions& o);

struct Selection {
  std::optional<std::size_t> best;     // index into the candidates; none if no candidate is eligible
  Step reason = Step::none;            // why best beat the second-best eligible candidate (none if alone)
  std::vector<std::size_t> multipath;  // the ECMP set including best, in preference order, at most max_paths
};

// The best eligible (reachable) candidate, chosen "deterministic-MED" style so
// that the answer does not depend on the order of `candidates`: candidates are
// grouped by neighbour AS, each group is ranked with MED, and the groups are
// merged comparing their heads without MED. The merge is the preference order:
// `reason` is compare(best, second).step and `multipath` takes, in that order,
// each candidate multipath_equal() to every one already taken (best first). RFC
// 4271 §9.1.2.2 (c) is pairwise and not transitive; this grouping (Cisco's
// "deterministic-med") is Petrel's only mode. Candidates equal on every step are
// interchangeable; between them the lower index comes first.
Selection select(std::span<const Candidate> candidates, const BestPathOptions& o);

// Two paths may share forwarding (ECMP) when both are reachable and compare()
// finds them equal through the IGP-cost step (LLGR staleness, LOCAL_PREF, local
// origin, AS_PATH length, ORIGIN, MED where it applies, eBGP/iBGP, IGP cost) and,
// unless multipath_relax, their AS_PATHs are the same (absent = empty).
bool multipath_equal(const Candidate& a, const Candidate& b, const BestPathOptions& o);

}  // namespace petrel::rib
