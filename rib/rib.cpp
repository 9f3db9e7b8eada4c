#include "rib/rib.hpp"

#include <algorithm>

#include "core/result.hpp"

namespace petrel::rib {

Rib::Rib(BestPathOptions options, NextHopResolver* resolver)
    : options_(options), resolver_(resolver), peers_(1), peer_live_(1, true) {
  peers_[kLocalPeer].local = true;
}

Rib::~Rib() {
  // Paths hold references to attribute sets; the store goes with the RIB anyway.
}

PeerId Rib::add_peer(const PeerInfo& peer) {
  for (std::size_t i = 1; i < peers_.size(); ++i)
    if (!peer_live_[i]) {
      peers_[i] = peer;
      peer_live_[i] = true;
      return static_cast<PeerId>(i);
    }
  peers_.push_back(peer);
  peer_live_.push_back(true);
  return static_cast<PeerId>(peers_.size() - 1);
}

template <class Table>
bool Rib::announce_in(Table& t, const typename std::remove_reference_t<decltype(std::declval<Table&>().dirty())>::value_type& key,
                      const PathEntry& p) {
  PrefixEntry& e = t.get(key);
  const std::size_t i = e.find(p.peer, p.path_id);
  if (i < e.size()) {
    PathEntry& old = e.at(i);
    // The same route again, at most with its stale mark cleared: the decision
    // cannot change (staleness does not enter best path; LLGR staleness does).
    if (old.attrs == p.attrs && !((old.flags ^ p.flags) & path_flag::llgr_stale)) {
      old.flags = p.flags;
      attrs_.release(p.attrs);
      return false;
    }
    if (indexed(p.peer)) {
      const IpAddress& before = attrs_.get(old.attrs).next_hop;
      const IpAddress& after = attrs_.get(p.attrs).next_hop;
      if (before != after) {
        release_next_hop(before, key, e, i);
        use_next_hop(after, key, e, i);
      }
    }
    attrs_.release(old.attrs);
    old.attrs = p.attrs;
    old.flags = p.flags;
    if (i < e.selected()) e.set_selection_touched(true);
    t.mark_dirty(key, e);
    return false;
  }
  e.push_back(p);
  ++paths_;
  if (indexed(p.peer)) use_next_hop(attrs_.get(p.attrs).next_hop, key, e, e.size() - 1);
  t.mark_dirty(key, e);
  return true;
}

bool Rib::announce(PeerId peer, const Prefix& prefix, uint32_t path_id, AttrId attrs, uint8_t flags) {
  const PathEntry p{attrs, path_id, peer, flags};
  if (prefix.is_v4()) return announce_in(v4_, V4Key::of(prefix), p);
  return announce_in(v6_, V6Key::of(prefix), p);
}

template <class Table, class Key>
bool Rib::withdraw_in(Table& t, const Key& key, PeerId peer, uint32_t path_id) {
  PrefixEntry* e = t.find(key);
  if (!e) return false;
  const std::size_t i = e->find(peer, path_id);
  if (i == e->size()) return false;
  if (indexed(peer)) release_next_hop(attrs_.get(e->at(i).attrs).next_hop, key, *e, i);
  attrs_.release(e->at(i).attrs);
  if (i < e->selected()) {
    e->set_selection_touched(true);
    e->set_selected(static_cast<uint8_t>(e->selected() - 1));
  }
  e->erase(i);
  --paths_;
  t.mark_dirty(key, *e);
  return true;
}

bool Rib::withdraw(PeerId peer, const Prefix& prefix, uint32_t path_id) {
  if (prefix.is_v4()) return withdraw_in(v4_, V4Key::of(prefix), peer, path_id);
  return withdraw_in(v6_, V6Key::of(prefix), peer, path_id);
}

void Rib::remove_peer(PeerId peer) {
  auto drop = [&](auto& table) {
    using Key = typename std::remove_reference_t<decltype(table.dirty())>::value_type;
    std::vector<std::pair<Key, uint32_t>> gone;
    table.for_each([&](const Key& k, PrefixEntry& e) {
      for (std::size_t i = 0; i < e.size(); ++i)
        if (e.at(i).peer == peer) gone.emplace_back(k, e.at(i).path_id);
    });
    for (const auto& [k, id] : gone) withdraw_in(table, k, peer, id);
  };
  drop(v4_);
  drop(v6_);
  if (peer != kLocalPeer) peer_live_[peer] = false;
}

void Rib::touch_peer(PeerId peer) {
  std::vector<IpAddress> next_hops;  // resolved again: their answers may be out of date
  auto mark = [&](auto& table) {
    using Key = typename std::remove_reference_t<decltype(table.dirty())>::value_type;
    table.for_each([&](const Key& k, PrefixEntry& e) {
      for (std::size_t i = 0; i < e.size(); ++i)
        if (e.at(i).peer == peer) {
          if (i < e.selected()) e.set_selection_touched(true);
          table.mark_dirty(k, e);
          if (indexed(peer)) next_hops.push_back(attrs_.get(e.at(i).attrs).next_hop);
        }
    });
  };
  mark(v4_);
  mark(v6_);
  std::sort(next_hops.begin(), next_hops.end());
  next_hops.erase(std::unique(next_hops.begin(), next_hops.end()), next_hops.end());
  next_hops_changed(next_hops);
}

std::size_t Rib::mark_stale(PeerId peer, std::optional<bgp::wire::Family> family) {
  std::size_t n = 0;
  auto mark = [&](auto& table) {
    table.for_each([&](const auto&, PrefixEntry& e) {
      for (std::size_t i = 0; i < e.size(); ++i)
        if (e.at(i).peer == peer) {
          e.at(i).flags |= path_flag::stale;
          ++n;
        }
    });
  };
  if (family != bgp::wire::Family::ipv6_unicast) mark(v4_);
  if (family != bgp::wire::Family::ipv4_unicast) mark(v6_);
  return n;
}

std::size_t Rib::mark_llgr_stale(PeerId peer) {
  std::size_t n = 0;
  auto mark = [&](auto& table) {
    using Key = typename std::remove_reference_t<decltype(table.dirty())>::value_type;
    table.for_each([&](const Key& k, PrefixEntry& e) {
      for (std::size_t i = 0; i < e.size(); ++i) {
        PathEntry& p = e.at(i);
        if (p.peer != peer || !(p.flags & path_flag::stale) || (p.flags & path_flag::llgr_stale)) continue;
        p.flags |= path_flag::llgr_stale;
        if (i < e.selected()) e.set_selection_touched(true);
        table.mark_dirty(k, e);
        ++n;
      }
    });
  };
  mark(v4_);
  mark(v6_);
  return n;
}

std::size_t Rib::sweep_stale(PeerId peer, std::optional<bgp::wire::Family> family) {
  std::size_t n = 0;
  auto sweep = [&](auto& table) {
    using Key = typename std::remove_reference_t<decltype(table.dirty())>::value_type;
    std::vector<std::pair<Key, uint32_t>> stale;
    table.for_each([&](const Key& k, PrefixEntry& e) {
      for (std::size_t i = 0; i < e.size(); ++i)
        if (e.at(i).peer == peer && (e.at(i).flags & path_flag::stale)) stale.emplace_back(k, e.at(i).path_id);
    });
    for (const auto& [k, id] : stale) n += withdraw_in(table, k, peer, id) ? 1 : 0;
  };
  if (family != bgp::wire::Family::ipv6_unicast) sweep(v4_);
  if (family != bgp::wire::Family::ipv4_unicast) sweep(v6_);
  return n;
}

Step Rib::explain(const Prefix& prefix) {
  const std::vector<PathEntry> all = paths(prefix);
  if (all.size() < 2) return Step::none;
  return compare(candidate(all[0]), candidate(all[1]), options_).step;
}

Candidate Rib::candidate(const PathEntry& p) const {
  const RouteAttrs& ra = attrs_.get(p.attrs);
  Candidate c;
  c.attrs = &ra.attrs;
  c.peer = &peers_[p.peer];
  c.path_id = p.path_id;
  c.llgr_stale = p.flags & path_flag::llgr_stale;
  if (resolver_ && !peers_[p.peer].local) {
    const Resolution r = resolution(p);
    c.reachable = r.reachable;
    c.igp_cost = r.igp_cost;
  }
  return c;
}

// ---------------------------------------------------------------- next-hop index

Resolution Rib::resolution(const PathEntry& p) const {
  if (!resolver_ || peers_[p.peer].local) return {};
  const IpAddress& next_hop = attrs_.get(p.attrs).next_hop;
  const bool connected_only = peers_[p.peer].direct;
  if (!last_use_ || last_use_->address != next_hop) {
    auto it = next_hops_.find(next_hop);
    if (it == next_hops_.end()) return resolver_->resolve(next_hop, connected_only);
    last_use_ = &it->second;
  }
  return connected_only ? last_use_->connected : last_use_->recursive;
}

Rib::NextHopUse& Rib::next_hop_use(const IpAddress& next_hop) {
  if (last_use_ && last_use_->address == next_hop) return const_cast<NextHopUse&>(*last_use_);
  auto [it, inserted] = next_hops_.try_emplace(next_hop);
  NextHopUse& use = it->second;
  if (inserted) {
    use.address = next_hop;
    resolver_->watch(next_hop);
    use.recursive = resolver_->resolve(next_hop, false);
    use.connected = resolver_->resolve(next_hop, true);
  }
  last_use_ = &use;
  return use;
}

bool Rib::other_path_uses(const IpAddress& next_hop, const PrefixEntry& e, std::size_t path) const {
  for (std::size_t j = 0; j < e.size(); ++j)
    if (j != path && indexed(e.at(j).peer) && attrs_.get(e.at(j).attrs).next_hop == next_hop) return true;
  return false;
}

template <class Key>
void Rib::use_next_hop(const IpAddress& next_hop, const Key& key, const PrefixEntry& e, std::size_t path) {
  NextHopUse& use = next_hop_use(next_hop);
  if (other_path_uses(next_hop, e, path)) return;
  ++use.prefixes;
  if (!use.listed) return;
  if (use.prefixes > kListedPrefixes) {  // too many to list: found by a scan from now on
    use.listed = false;
    use.v4 = {};
    use.v6 = {};
    return;
  }
  if constexpr (std::is_same_v<Key, V4Key>) use.v4.insert(key);
  else use.v6.insert(key);
}

template <class Key>
void Rib::release_next_hop(const IpAddress& next_hop, const Key& key, const PrefixEntry& e, std::size_t path) {
  if (other_path_uses(next_hop, e, path)) return;
  auto it = next_hops_.find(next_hop);
  PETREL_CHECK(it != next_hops_.end() && it->second.prefixes > 0, "RIB: a path's next hop is missing from the index");
  NextHopUse& use = it->second;
  --use.prefixes;
  if (use.listed) {
    if constexpr (std::is_same_v<Key, V4Key>) use.v4.erase(key);
    else use.v6.erase(key);
  }
  if (use.prefixes == 0) {
    if (last_use_ == &use) last_use_ = nullptr;
    next_hops_.erase(it);
    resolver_->unwatch(next_hop);
  }
}

template <class Table, class Key>
void Rib::mark_prefix(Table& t, const Key& key, std::span<const IpAddress> moved) {
  PrefixEntry* e = t.find(key);
  if (!e) return;
  t.mark_dirty(key, *e);
  if (moved.empty()) return;
  // A selected path through a next hop whose gateway moved (`moved`): its route
  // is reported again even if the selection stays (the kernel route names the
  // gateway).
  for (std::size_t i = 0; i < e->selected(); ++i) {
    if (!indexed(e->at(i).peer)) continue;
    const IpAddress& next_hop = attrs_.get(e->at(i).attrs).next_hop;
    if (std::find(moved.begin(), moved.end(), next_hop) != moved.end()) {
      e->set_selection_touched(true);
      return;
    }
  }
}

std::size_t Rib::next_hops_changed(std::span<const IpAddress> next_hops) {
  if (!resolver_) return 0;
  std::size_t marked = 0;
  std::vector<IpAddress> unlisted, unlisted_moved;
  for (const IpAddress& next_hop : next_hops) {
    auto it = next_hops_.find(next_hop);
    if (it == next_hops_.end()) continue;
    NextHopUse& use = it->second;
    const Resolution recursive = resolver_->resolve(next_hop, false);
    const Resolution connected = resolver_->resolve(next_hop, true);
    if (recursive == use.recursive && connected == use.connected) continue;
    const bool moved = recursive.via != use.recursive.via;  // the gateway it resolves to
    use.recursive = recursive;
    use.connected = connected;
    // The decision reads the cached answers; paths whose answer is unchanged
    // (the other mode) cost one needless decision of their prefix, nothing more.
    marked += use.prefixes;
    if (!use.listed) {
      unlisted.push_back(next_hop);
      if (moved) unlisted_moved.push_back(next_hop);
      continue;
    }
    const std::span<const IpAddress> touch = moved ? std::span<const IpAddress>(&next_hop, 1) : std::span<const IpAddress>();
    for (const V4Key& key : use.v4) mark_prefix(v4_, key, touch);
    for (const V6Key& key : use.v6) mark_prefix(v6_, key, touch);
  }
  if (unlisted.empty()) return marked;
  // Next hops of many prefixes: one scan over the tables finds them all.
  auto scan = [&](auto& table) {
    table.for_each([&](const auto& key, PrefixEntry& e) {
      for (std::size_t i = 0; i < e.size(); ++i) {
        if (!indexed(e.at(i).peer)) continue;
        const IpAddress& next_hop = attrs_.get(e.at(i).attrs).next_hop;
        if (std::find(unlisted.begin(), unlisted.end(), next_hop) == unlisted.end()) continue;
        mark_prefix(table, key, unlisted_moved);
        return;
      }
    });
  };
  scan(v4_);
  scan(v6_);
  return marked;
}

void Rib::decide_entry(PrefixEntry& e, const Prefix& prefix, std::vector<RouteChange>& changes) {
  e.set_dirty(false);
  const std::size_t before = e.selected();
  bool changed = e.selection_touched();
  e.set_selection_touched(false);

  if (e.size() == 1) {
    // One path (the common case): it is the selection if its next hop resolves.
    // Decided here without a Selection (no allocation) and, with no resolver,
    // without touching its attributes.
    const std::size_t now = !resolver_ || resolution(e.at(0)).reachable ? 1 : 0;
    if (now != before) changed = true;
    e.set_selected(static_cast<uint8_t>(now));
    if (!changed) return;
    RouteChange c;
    c.prefix = prefix;
    if (now) c.selected.push_back({e.at(0).peer, e.at(0).path_id, e.at(0).attrs});
    changes.push_back(std::move(c));
    return;
  }

  Selection sel;
  {
    scratch_.clear();
    for (std::size_t i = 0; i < e.size(); ++i) scratch_.push_back(candidate(e.at(i)));
    sel = select(scratch_, options_);
  }

  // Keep the paths in preference order: the selected ones first, best at 0.
  reorder_.clear();
  std::size_t now = 0;
  if (sel.best) {
    for (std::size_t idx : sel.multipath) reorder_.push_back(e.at(idx));
    now = reorder_.size();
    for (std::size_t i = 0; i < e.size(); ++i)
      if (std::find(sel.multipath.begin(), sel.multipath.end(), i) == sel.multipath.end()) reorder_.push_back(e.at(i));
  } else {
    for (std::size_t i = 0; i < e.size(); ++i) reorder_.push_back(e.at(i));
  }
  // Untouched selected paths kept their places: a change shows as a different
  // path at some selected position, or a different number of them.
  if (now != before) changed = true;
  for (std::size_t i = 0; i < now && !changed; ++i)
    if (!reorder_[i].same_path(e.at(i).peer, e.at(i).path_id)) changed = true;
  for (std::size_t i = 0; i < reorder_.size(); ++i) e.at(i) = reorder_[i];
  e.set_selected(static_cast<uint8_t>(std::min<std::size_t>(now, 255)));

  if (!changed) return;
  RouteChange c;
  c.prefix = prefix;
  c.reason = sel.reason;
  for (std::size_t i = 0; i < now; ++i) c.selected.push_back({e.at(i).peer, e.at(i).path_id, e.at(i).attrs});
  changes.push_back(std::move(c));
}

template <class Table>
std::size_t Rib::decide_in(Table& t, std::vector<RouteChange>& changes, DecidedPaths* every_path) {
  auto& dirty = t.dirty();
  const std::size_t n = dirty.size();
  changes.reserve(changes.size() + n);  // at most one change per dirty prefix: no regrowth
  for (const auto& key : dirty) {
    PrefixEntry* e = t.find(key);
    if (!e) continue;
    const std::size_t before = changes.size();
    const Prefix prefix = key.prefix();
    decide_entry(*e, prefix, changes);
    const bool changed = changes.size() != before;
    const bool whole = changed && changes.back().selected.size() == e->size();
    if (whole) changes.back().all_paths = true;
    if (every_path && !whole) report_paths(*e, prefix, changed, *every_path);
    if (e->size() == 0) t.erase(key);
  }
  dirty.clear();
  if (dirty.capacity() > (1u << 16)) dirty.shrink_to_fit();  // a full-table load is not the steady state
  return n;
}

void Rib::report_paths(const PrefixEntry& e, const Prefix& prefix, bool changed, DecidedPaths& out) {
  const auto first = static_cast<uint32_t>(out.paths.size());
  const std::size_t count = e.size();
  out.prefixes.push_back({prefix, e.selected(), changed, first, static_cast<uint32_t>(count)});
  if (count == 0) return;
  const PathEntry& best = e.at(0);  // inline in the entry: the common case is one path
  out.paths.push_back({best.peer, best.path_id, best.attrs});
  for (std::size_t i = 1; i < count; ++i) out.paths.push_back({e.at(i).peer, e.at(i).path_id, e.at(i).attrs});
}

std::size_t Rib::decide(std::vector<RouteChange>& changes, DecidedPaths* every_path) {
  return decide_in(v4_, changes, every_path) + decide_in(v6_, changes, every_path);
}

void Rib::all_paths(DecidedPaths& out) {
  auto walk = [&](auto& table) {
    table.for_each([&](const auto& key, PrefixEntry& e) {
      if (e.size() > 0) report_paths(e, key.prefix(), /*changed=*/e.selected() > 0, out);
    });
  };
  walk(v4_);
  walk(v6_);
}

std::vector<SelectedPath> Rib::selected(const Prefix& prefix) {
  PrefixEntry* e = prefix.is_v4() ? v4_.find(V4Key::of(prefix)) : v6_.find(V6Key::of(prefix));
  std::vector<SelectedPath> out;
  if (!e) return out;
  for (std::size_t i = 0; i < e->selected(); ++i) out.push_back({e->at(i).peer, e->at(i).path_id, e->at(i).attrs});
  return out;
}

std::vector<PathEntry> Rib::paths(const Prefix& prefix) {
  PrefixEntry* e = prefix.is_v4() ? v4_.find(V4Key::of(prefix)) : v6_.find(V6Key::of(prefix));
  std::vector<PathEntry> out;
  if (e)
    for (std::size_t i = 0; i < e->size(); ++i) out.push_back(e->at(i));
  return out;
}

bool Rib::has_path(PeerId peer, const Prefix& prefix, uint32_t path_id) {
  PrefixEntry* e = prefix.is_v4() ? v4_.find(V4Key::of(prefix)) : v6_.find(V6Key::of(prefix));
  return e && e->find(peer, path_id) < e->size();
}

}  // namespace petrel::rib
