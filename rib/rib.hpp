// rib/rib.hpp — the Loc-RIB: every path from every peer (the Adj-RIBs-In after
// import policy), per family, and the best path and ECMP set of each prefix.
//
// Work is batched: announce() and withdraw() only record the path and mark the
// prefix dirty; decide() runs best-path selection once for each dirty prefix and
// reports what changed (to the FIB queue and the update groups). Attributes are
// interned in the RIB's AttrStore; a path holds one reference to its set.
// Next-hop reachability and IGP cost come from a NextHopResolver (the daemon
// adapts fib/'s NextHopTracker; without one everything resolves at cost 0). The
// RIB keeps an index next hop -> prefixes whose paths use it, tells the resolver
// which next hops to watch, caches their resolution, and re-decides exactly the
// prefixes of the next hops its owner reports changed (next_hops_changed()).
// Single-threaded: the RIB's thread.
#pragma once

#include <boost/container/small_vector.hpp>
#include <boost/unordered/unordered_flat_set.hpp>

#include <functional>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "bgp/wire/types.hpp"
#include "rib/attr_store.hpp"
#include "rib/best_path.hpp"
#include "rib/candidate.hpp"
#include "rib/prefix_table.hpp"

namespace petrel::rib {

struct Resolution {
  bool reachable = true;
  uint32_t igp_cost = 0;
  // Resolved recursively: the on-link gateway traffic to the next hop goes to
  // (what the kernel route must name). Unspecified: the next hop is on a link.
  IpAddress via;
  friend bool operator==(const Resolution&, const Resolution&) = default;
};

// How BGP next hops resolve (RFC 4271 §9.1.2.1: a route whose NEXT_HOP cannot be
// resolved is not eligible; §9.1.2.2 (e): the cost to it breaks ties).
class NextHopResolver {
 public:
  virtual ~NextHopResolver() = default;
  // `connected_only`: only through a connected prefix (the paths of a directly
  // connected eBGP peer, PeerInfo::direct); otherwise also recursively through
  // the routing table (iBGP, multihop eBGP).
  virtual Resolution resolve(const IpAddress& next_hop, bool connected_only) const = 0;
  // The RIB starts / stops using `next_hop`. The RIB caches what resolve() said
  // for a watched next hop until its owner calls Rib::next_hops_changed().
  virtual void watch(const IpAddress& next_hop) { (void)next_hop; }
  virtual void unwatch(const IpAddress& next_hop) { (void)next_hop; }
};

// One path of a prefix's selection.
struct SelectedPath {
  PeerId peer = 0;
  uint32_t path_id = 0;
  AttrId attrs = kNoAttrs;
  friend bool operator==(const SelectedPath&, const SelectedPath&) = default;
};

// A prefix whose selection changed: its ECMP set, best first; empty when the
// prefix has no usable path any more (withdraw it).
struct RouteChange {
  Prefix prefix;
  boost::container::small_vector<SelectedPath, 2> selected;
  Step reason = Step::none;  // why the best won
  // decide() set this: `selected` is every path the RIB holds for the prefix
  // (nearly always so: one path, or an ECMP set of all; none left when empty),
  // so the change alone says what the prefix has. False when other paths lose
  // behind the selection, or a path is held but none is usable.
  bool all_paths = false;
};

// Every path of each prefix a decision decided, best first: the optional second
// output of Rib::decide() (what the store's snapshot keeps of the Adj-RIB-In
// after import policy, so a warm restart gets back every path, not only the
// best). One entry per decided prefix that its RouteChange does not describe
// whole: a prefix whose selection stayed (e.g. a second path arriving behind an
// unchanged best, reported here and not in the RouteChanges), or whose change
// leaves paths out (RouteChange::all_paths false). The common case, a change
// that is every path the prefix has, costs nothing here (bench/store_bench).
// A plain value; `paths` holds the entries' paths in order.
struct DecidedPaths {
  struct Entry {
    Prefix prefix;
    uint8_t selected = 0;             // the first `selected` paths are the ECMP set (0: none usable)
    bool selection_changed = false;   // decide() reported the prefix as a RouteChange too
    uint32_t first = 0;               // its paths: paths[first, first + count)
    uint32_t count = 0;               // 0: the prefix has no path left
  };
  std::vector<Entry> prefixes;
  std::vector<SelectedPath> paths;
  void clear() {
    prefixes.clear();
    paths.clear();
  }
};

class Rib {
 public:
  explicit Rib(BestPathOptions options = {}, NextHopResolver* resolver = nullptr);
  ~Rib();
  Rib(const Rib&) = delete;
  Rib& operator=(const Rib&) = delete;

  // Peers are numbered from 1; kLocalPeer (0) is this router's own routes.
  PeerId add_peer(const PeerInfo& peer);
  // Withdraws every path of the peer; the id may be reused afterwards.
  void remove_peer(PeerId peer);
  const PeerInfo& peer(PeerId id) const { return peers_[id]; }
  // Every PeerId in use is below this.
  std::size_t peer_limit() const { return peers_.size(); }

  AttrStore& attrs() { return attrs_; }
  const AttrStore& attrs() const { return attrs_; }

  // The peer's path to `prefix` (ADD-PATH id `path_id`) now has `attrs`; takes
  // over the caller's reference to `attrs`. True when the path is new (not a
  // replacement of the peer's earlier one).
  bool announce(PeerId peer, const Prefix& prefix, uint32_t path_id, AttrId attrs, uint8_t flags = 0);
  // The peer's path is gone; true when there was one.
  bool withdraw(PeerId peer, const Prefix& prefix, uint32_t path_id);
  // Marks every prefix with a path from `peer` dirty (its attributes or its
  // next hops' reachability changed); its next hops are resolved again.
  void touch_peer(PeerId peer);
  // The peer's session changed identity on a new connection (router id, …).
  void update_peer(PeerId id, const PeerInfo& peer) { peers_[id] = peer; }

  // The resolution of these next hops may have changed (a link went down or
  // up, an address or an IGP route came or went): each is resolved again and,
  // where the answer differs, every prefix with a path through it is marked
  // dirty for the next decide(); when the gateway a next hop resolves to moved
  // (Resolution::via), a prefix whose selected path goes through it is reported
  // by decide() even if its selection stays. Unused next hops are ignored.
  // Returns how many prefixes use the changed next hops (0: nothing to decide).
  std::size_t next_hops_changed(std::span<const IpAddress> next_hops);
  // What next-hop resolution says of a path now (reachable at cost 0 for our own
  // routes and without a resolver).
  Resolution resolution(const PathEntry& path) const;
  // Next hops in use by learned paths (watched by the resolver).
  std::size_t next_hop_count() const { return next_hops_.size(); }

  // RFC 4724 §4.2 (graceful restart, receiving speaker): the peer's paths stay
  // in use but are marked stale; a re-announcement clears the mark; what is still
  // stale after its End-of-RIB (or when the restart time runs out) is swept.
  // Both return how many paths they touched. The same pair serves enhanced route
  // refresh (RFC 7313 §4: stale from Beginning- to End-of-Route-Refresh), per
  // family when `family` is given.
  std::size_t mark_stale(PeerId peer, std::optional<bgp::wire::Family> family = std::nullopt);
  std::size_t sweep_stale(PeerId peer, std::optional<bgp::wire::Family> family = std::nullopt);
  // RFC 9494 §4.2: the restart time ran out but the peer asked for long-lived
  // graceful restart: its stale paths stay for the long-lived stale time, now
  // LLGR_STALE (least preferred, best-path step 2). Their prefixes are decided
  // again. A re-announcement clears both marks; sweep_stale() ends them.
  std::size_t mark_llgr_stale(PeerId peer);

  // Runs best-path selection for the dirty prefixes; appends one RouteChange per
  // prefix whose selection changed. Returns how many prefixes were decided.
  // With `every_path`, also appends the paths of every decided prefix that its
  // RouteChange does not describe whole (DecidedPaths).
  std::size_t decide(std::vector<RouteChange>& changes, DecidedPaths* every_path = nullptr);
  // Every path of every prefix, as decided last (each entry marked
  // selection_changed when it has a selection): the whole table for a consumer
  // that has seen nothing yet.
  void all_paths(DecidedPaths& out);

  // The current selection of a prefix (best first), or empty.
  std::vector<SelectedPath> selected(const Prefix& prefix);
  // Every path of a prefix, in preference order after the last decision.
  std::vector<PathEntry> paths(const Prefix& prefix);
  bool has_path(PeerId peer, const Prefix& prefix, uint32_t path_id);
  // Why the best path of `prefix` beats the runner-up (the deciding best-path
  // step), as of the last decide(); Step::none with fewer than two paths.
  Step explain(const Prefix& prefix);
  // Calls f(const Prefix&) for every prefix with at least one path, selected or
  // not, in no particular order. `f` must not change the RIB.
  template <class F>
  void for_each_prefix(F&& f);
  // Calls f(const Prefix&, std::span<const SelectedPath>) for every prefix that
  // has a selection (best first) as of the last decide(), in no particular order.
  // `f` must not announce, withdraw or decide (interning in attrs() is fine).
  // Used to send a new peer the full table.
  template <class F>
  void for_each_selected(F&& f);

  std::size_t prefix_count() const { return v4_.size() + v6_.size(); }
  std::size_t path_count() const { return paths_; }
  // Bytes held by the prefix tables and the interned attribute sets' slots.
  std::size_t table_memory_bytes() const { return v4_.memory_bytes() + v6_.memory_bytes(); }
  const BestPathOptions& options() const { return options_; }

 private:
  template <class Table>
  bool announce_in(Table& t, const typename std::remove_reference_t<decltype(std::declval<Table&>().dirty())>::value_type& key,
                   const PathEntry& p);
  template <class Table, class Key>
  bool withdraw_in(Table& t, const Key& key, PeerId peer, uint32_t path_id);
  template <class Table>
  std::size_t decide_in(Table& t, std::vector<RouteChange>& changes, DecidedPaths* every_path);
  static void report_paths(const PrefixEntry& e, const Prefix& prefix, bool changed, DecidedPaths& out);
  void decide_entry(PrefixEntry& e, const Prefix& prefix, std::vector<RouteChange>& changes);
  Candidate candidate(const PathEntry& p) const;
  // The next-hop index: a path of a learned route starts or stops using its
  // next hop. A prefix counts once per next hop however many of its paths use
  // it: both check the prefix's other paths (all but `path`) first.
  struct NextHopUse;
  NextHopUse& next_hop_use(const IpAddress& next_hop);
  template <class Key>
  void use_next_hop(const IpAddress& next_hop, const Key& key, const PrefixEntry& e, std::size_t path);
  template <class Key>
  void release_next_hop(const IpAddress& next_hop, const Key& key, const PrefixEntry& e, std::size_t path);
  bool other_path_uses(const IpAddress& next_hop, const PrefixEntry& e, std::size_t path) const;
  bool indexed(PeerId peer) const { return resolver_ && !peers_[peer].local; }
  template <class Table, class Key>
  void mark_prefix(Table& t, const Key& key, std::span<const IpAddress> moved);

  // One next hop in use: what it resolved to when last asked (both ways), how
  // many prefixes have a path through it, and which ones while they are at most
  // kListedPrefixes (compact keys: 8 bytes per IPv4 prefix). A next hop with
  // more (a full table from one peer) keeps no list: when it changes, one scan
  // of the tables finds its prefixes. The scan costs less than deciding the
  // prefixes it finds, and the RIB keeps no per-prefix memory for it
  // (bench/rib_bench --resolver).
  static constexpr std::size_t kListedPrefixes = 4096;
  struct NextHopUse {
    IpAddress address;
    Resolution recursive;
    Resolution connected;
    std::size_t prefixes = 0;
    bool listed = true;  // v4/v6 hold every prefix
    boost::unordered_flat_set<V4Key, V4KeyHash> v4;
    boost::unordered_flat_set<V6Key, V6KeyHash> v6;
  };

  BestPathOptions options_;
  NextHopResolver* resolver_;
  // Node-based: a NextHopUse stays where it is while others come and go, so the
  // last one used can be remembered (routes arrive in runs with one next hop).
  std::unordered_map<IpAddress, NextHopUse> next_hops_;
  mutable const NextHopUse* last_use_ = nullptr;
  AttrStore attrs_;
  std::vector<PeerInfo> peers_;
  std::vector<bool> peer_live_;
  PrefixTable<V4Key, V4KeyHash> v4_;
  PrefixTable<V6Key, V6KeyHash> v6_;
  std::size_t paths_ = 0;
  std::vector<Candidate> scratch_;  // candidates of the prefix being decided
  std::vector<PathEntry> reorder_;
};

template <class F>
void Rib::for_each_prefix(F&& f) {
  v4_.for_each([&](const auto& key, PrefixEntry& e) {
    if (e.size() > 0) f(key.prefix());
  });
  v6_.for_each([&](const auto& key, PrefixEntry& e) {
    if (e.size() > 0) f(key.prefix());
  });
}

template <class F>
void Rib::for_each_selected(F&& f) {
  boost::container::small_vector<SelectedPath, 2> sel;
  auto walk = [&](auto& table) {
    table.for_each([&](const auto& key, PrefixEntry& e) {
      if (e.selected() == 0) return;
      sel.clear();
      for (std::size_t i = 0; i < e.selected(); ++i) sel.push_back({e.at(i).peer, e.at(i).path_id, e.at(i).attrs});
      f(key.prefix(), std::span<const SelectedPath>(sel.data(), sel.size()));
    });
  };
  walk(v4_);
  walk(v6_);
}

}  // namespace petrel::rib
