// rib/update_group.cpp — see update_group.hpp.
#include "rib/update_group.hpp"

#include <boost/container/small_vector.hpp>
#include <boost/unordered/unordered_flat_map.hpp>

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

#include "bgp/wire/route_refresh.hpp"
#include "bgp/wire/update_packer.hpp"
#include "rib/graceful_shutdown.hpp"

// GCC 12 reports a stringop-overread false positive inside
// boost::container::small_vector's copy of a one-element inline buffer (the
// same family as GCC bugs 105329 and 105651); this file only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wstringop-overread"
#endif

namespace petrel::rib {

namespace wire = bgp::wire;

namespace {

bool same_export_context(const ExportPeer& a, const ExportPeer& b) {
  return a.external == b.external && a.rr_client == b.rr_client && a.peer_as == b.peer_as &&
         a.local_address == b.local_address && a.local_link_local == b.local_link_local &&
         a.shared_subnet == b.shared_subnet && a.next_hop == b.next_hop &&
         a.next_hop_address == b.next_hop_address && a.has_export_policy == b.has_export_policy;
}

wire::Family family_of(const Prefix& p) { return p.is_v4() ? wire::Family::ipv4_unicast : wire::Family::ipv6_unicast; }

constexpr PeerId kNobody = 0xFFFF;  // no member is left out (PeerIds are small)

// Who one encoded piece goes to. Ordered: every member first, then "all but",
// then "only", so a member's buffers of one batch keep a stable order.
struct Audience {
  enum Kind : uint8_t { all = 0, all_but = 1, only = 2 };
  Kind kind = all;
  PeerId member = kNobody;
  auto operator<=>(const Audience&) const = default;
  bool includes(PeerId m) const {
    switch (kind) {
      case all: return true;
      case all_but: return m != member;
      case only: return m == member;
    }
    return false;
  }
};

}  // namespace

bool operator==(const GroupKey& a, const GroupKey& b) {
  for (std::size_t f = 0; f < wire::kFamilyCount; ++f) {
    if (a.families[f].has_value() != b.families[f].has_value()) return false;
    if (a.families[f] && !same_export_context(*a.families[f], *b.families[f])) return false;
  }
  return a.four_octet_as == b.four_octet_as && a.extended_message == b.extended_message &&
         a.add_path_send == b.add_path_send && a.ipv4_with_ipv6_next_hop == b.ipv4_with_ipv6_next_hop &&
         a.export_policy == b.export_policy && a.mrai == b.mrai;
}

GroupKey group_key(const MemberConfig& config) {
  GroupKey k;
  k.families = config.families;
  k.four_octet_as = config.codec.four_octet_as;
  k.extended_message = config.codec.extended_message;
  k.add_path_send = config.codec.add_path_send;
  k.ipv4_with_ipv6_next_hop = config.codec.ipv4_with_ipv6_next_hop;
  k.export_policy = config.export_policy;
  k.mrai = config.mrai;
  return k;
}

// One path a group has advertised for a prefix: the exported set (one reference
// in the Rib's store), the path it came from (peer and that peer's path id), and
// the path id it was sent under. Every member except `source` has been sent it.
// Without ADD-PATH a prefix has at most one, sent under kAdvertisedPathId.
struct OutPath {
  AttrId attrs = kNoAttrs;
  PeerId source = 0;
  uint32_t source_path_id = 0;
  uint32_t out_id = kAdvertisedPathId;
};
using OutPaths = boost::container::small_vector<OutPath, 1>;

// The wanted state of a prefix not yet sent: the paths to advertise, each holding
// one reference (no path: withdraw everything).
struct Staged {
  Prefix prefix;
  OutPaths paths;  // out_id not yet assigned
};

class UpdateGroup {
 public:
  uint32_t id = 0;
  GroupKey key;
  wire::CodecContext codec;    // the byte-changing bits of the key
  std::vector<PeerId> members;  // sorted
  boost::unordered_flat_map<Prefix, OutPaths, std::hash<Prefix>> adj_out;
  std::vector<Staged> staged;
  boost::unordered_flat_map<Prefix, std::size_t, std::hash<Prefix>> staged_at;  // index into `staged`
  // Export results of the batch being processed: (input set, source) -> output,
  // holding one reference to each output. Valid only while the batch's input
  // ids are live, so cleared after each batch.
  boost::unordered_flat_map<uint64_t, AttrId> memo;
  std::optional<TimePoint> last_sent;  // for MRAI

  bool add_path(wire::Family f) const { return codec.add_path_send[wire::index(f)]; }
  bool is_member(PeerId p) const { return std::binary_search(members.begin(), members.end(), p); }
  bool mrai_holds(TimePoint now) const {
    return key.mrai > Duration::zero() && last_sent && now < *last_sent + key.mrai;
  }
};

UpdateGroups::UpdateGroups(Rib& rib, const LocalSpeaker& me) : rib_(rib), me_(me) {}

UpdateGroups::~UpdateGroups() {
  for (auto& g : groups_) free_group(*g);
}

void UpdateGroups::clear_memo(UpdateGroup& g) {
  for (const auto& [k, id] : g.memo)
    if (id != kNoAttrs) rib_.attrs().release(id);
  g.memo.clear();
}

void UpdateGroups::free_group(UpdateGroup& g) {
  clear_memo(g);
  AttrStore& store = rib_.attrs();
  for (const auto& [p, paths] : g.adj_out)
    for (const OutPath& o : paths) store.release(o.attrs);
  for (const Staged& s : g.staged)
    for (const OutPath& o : s.paths) store.release(o.attrs);
  g.adj_out.clear();
  g.staged.clear();
  g.staged_at.clear();
}

void UpdateGroups::set_rr_client(PeerId peer, bool client) {
  if (peer >= rr_client_.size()) rr_client_.resize(peer + 1u, false);
  rr_client_[peer] = client;
}

UpdateGroups::Member* UpdateGroups::member(PeerId peer) {
  return peer < members_.size() && members_[peer].group ? &members_[peer] : nullptr;
}
const UpdateGroups::Member* UpdateGroups::member(PeerId peer) const {
  return peer < members_.size() && members_[peer].group ? &members_[peer] : nullptr;
}

void UpdateGroups::push(PeerId peer, OutBuffer buffer) {
  Member& m = members_[peer];
  m.bytes += buffer->size();
  m.queue.push_back(std::move(buffer));
}

AttrId UpdateGroups::export_path(UpdateGroup& g, const Prefix& prefix, const SelectedPath& path) {
  const wire::Family family = family_of(prefix);
  const ExportPeer& to = *g.key.families[wire::index(family)];
  AttrStore& store = rib_.attrs();
  AttrId out = kNoAttrs;
  const uint64_t memo_key = (uint64_t{path.attrs} << 16) | path.peer;
  if (auto it = g.memo.find(memo_key); it != g.memo.end()) {
    out = it->second;
    if (out != kNoAttrs) store.acquire(out);
  } else {
    const PeerInfo& info = rib_.peer(path.peer);
    SourcePeer from;
    from.local = info.local;
    from.external = info.external;
    from.rr_client = rr_client(path.peer);
    from.router_id = info.router_id;
    // Split horizon is per member, not per group: see the header.
    from.same_peer_as_target = false;
    ExportResult r = export_route(store.get(path.attrs), from, to, me_);
    // An IPv4 route with an IPv6 next hop needs RFC 8950 on the session.
    const bool encodable =
        family == wire::Family::ipv6_unicast || r.attrs.next_hop.is_v4() || g.codec.ipv4_with_ipv6_next_hop;
    if (r.verdict == ExportVerdict::advertise && encodable) {
      out = store.intern(r.attrs);
      store.acquire(out);  // the memo's own reference, dropped by clear_memo()
      g.memo.emplace(memo_key, out);
    } else {
      g.memo.emplace(memo_key, kNoAttrs);
    }
  }
  // Export policy works per prefix (prefix sets), so after the memo.
  if (out != kNoAttrs && export_policy_ && g.key.export_policy != 0) {
    RouteAttrs rewritten = store.get(out);
    const bool keep = export_policy_(g.key.export_policy, prefix, rewritten);
    const AttrId before = out;
    out = keep ? store.intern(rewritten) : kNoAttrs;
    store.release(before);
  }
  // Drain (RFC 8326 §4.2), last, so that no policy takes the marking away.
  if (out != kNoAttrs && draining_) {
    const AttrId before = out;
    if (rib_.peer(path.peer).local && withhold_local_ && withhold_local_(prefix)) {
      out = kNoAttrs;
    } else {
      RouteAttrs marked = store.get(out);
      mark_graceful_shutdown(marked, to.external);
      out = store.intern(marked);
    }
    store.release(before);
  }
  return out;
}

void UpdateGroups::stage(UpdateGroup& g, const Prefix& prefix, std::span<const SelectedPath> selected) {
  const wire::Family family = family_of(prefix);
  if (!g.key.families[wire::index(family)]) return;  // the group does not carry this family
  AttrStore& store = rib_.attrs();

  // RFC 7911: with ADD-PATH send, the whole selection (the ECMP set, best
  // first); otherwise the best path alone. A path the export rules or policy
  // refuse is left out (without ADD-PATH: the prefix is withdrawn, as the best
  // path is the only one a peer may be told about).
  OutPaths wanted;
  const std::size_t n = g.add_path(family) ? selected.size() : std::min<std::size_t>(selected.size(), 1);
  for (std::size_t i = 0; i < n; ++i) {
    const AttrId out = export_path(g, prefix, selected[i]);
    if (out != kNoAttrs) wanted.push_back({out, selected[i].peer, selected[i].path_id, 0});
  }

  // The latest state per prefix wins (MRAI coalescing).
  if (auto it = g.staged_at.find(prefix); it != g.staged_at.end()) {
    Staged& s = g.staged[it->second];
    for (const OutPath& o : s.paths) store.release(o.attrs);
    s.paths = std::move(wanted);
  } else {
    g.staged_at.emplace(prefix, g.staged.size());
    g.staged.push_back({prefix, std::move(wanted)});
  }
}

namespace {

using BucketKey = std::tuple<Audience, wire::Family, AttrId>;  // AttrId kNoAttrs: withdrawals
using Buckets = std::map<BucketKey, std::vector<wire::NlriEntry>>;

// Packs one bucket onto `out`; false when the attributes leave no room for a
// prefix (then the prefixes were packed as withdrawals instead).
bool pack_bucket(const AttrStore& store, wire::Family family, AttrId attrs,
                 const std::vector<wire::NlriEntry>& nlri, const wire::CodecContext& ctx,
                 std::vector<uint8_t>& out) {
  if (attrs == kNoAttrs) {
    wire::pack_withdrawals(family, nlri, ctx, out);
    return true;
  }
  const RouteAttrs& ra = store.get(attrs);
  const wire::MpNextHop nh{ra.next_hop, ra.link_local_next_hop};
  if (wire::pack_announcements(family, ra.attrs, nh, nlri, ctx, out)) return true;
  wire::pack_withdrawals(family, nlri, ctx, out);
  return false;
}

bool same_path(const OutPath& a, const OutPath& b) {
  return a.source == b.source && a.source_path_id == b.source_path_id;
}

// RFC 7911 §3: path ids are the sender's to choose, unique per prefix. The lowest
// id used neither by the paths advertised before this batch nor by those kept or
// added in it: an id withdrawn in this batch is not reused in the same batch,
// since its withdrawal may reach a member after the new announcement.
uint32_t free_path_id(const OutPaths& before, const OutPaths& after) {
  for (uint32_t id = kAdvertisedPathId;; ++id) {
    auto used = [id](const OutPath& o) { return o.out_id == id; };
    if (std::none_of(before.begin(), before.end(), used) && std::none_of(after.begin(), after.end(), used)) return id;
  }
}

}  // namespace

void UpdateGroups::send_staged(UpdateGroup& g, TimePoint now) {
  AttrStore& store = rib_.attrs();
  Buckets buckets;
  auto add = [&](Audience a, const Prefix& p, uint32_t out_id, AttrId attrs) {
    buckets[{a, family_of(p), attrs}].push_back({out_id, p});
  };
  // The member that must not hold the prefix (its source), if it is one of ours.
  auto held_from = [&](PeerId source) { return g.is_member(source) ? source : kNobody; };
  auto all_but = [&](PeerId source) {
    const PeerId held = held_from(source);
    return held == kNobody ? Audience{} : Audience{Audience::all_but, held};
  };

  for (Staged& s : g.staged) {
    auto it = g.adj_out.find(s.prefix);
    OutPaths before;
    if (it != g.adj_out.end()) before = std::move(it->second);
    OutPaths after;

    if (g.add_path(family_of(s.prefix))) {
      // Each path on its own: matched by where it came from, it keeps its id.
      for (const OutPath& o : before) {
        auto w = std::find_if(s.paths.begin(), s.paths.end(), [&](const OutPath& x) { return same_path(x, o); });
        if (w == s.paths.end()) {
          add(all_but(o.source), s.prefix, o.out_id, kNoAttrs);
          store.release(o.attrs);
          continue;
        }
        OutPath kept = o;
        if (w->attrs == o.attrs) {
          store.release(w->attrs);
        } else {
          add(all_but(o.source), s.prefix, o.out_id, w->attrs);
          store.release(o.attrs);
          kept.attrs = w->attrs;
        }
        w->attrs = kNoAttrs;  // consumed
        after.push_back(kept);
      }
      for (OutPath& w : s.paths) {
        if (w.attrs == kNoAttrs) continue;
        w.out_id = free_path_id(before, after);
        add(all_but(w.source), s.prefix, w.out_id, w.attrs);
        after.push_back(w);
      }
    } else if (s.paths.empty()) {
      if (!before.empty()) {  // never advertised: nothing to withdraw
        add(all_but(before[0].source), s.prefix, kAdvertisedPathId, kNoAttrs);
        store.release(before[0].attrs);
      }
    } else {
      // One path: the best. The same set from another source changes only who is left out.
      const OutPath& w = s.paths[0];
      const PeerId old_held = before.empty() ? kNobody : held_from(before[0].source);
      const PeerId new_held = held_from(w.source);
      if (!before.empty() && before[0].attrs == w.attrs) {
        if (old_held != new_held) {
          if (old_held != kNobody) add({Audience::only, old_held}, s.prefix, kAdvertisedPathId, w.attrs);
          if (new_held != kNobody) add({Audience::only, new_held}, s.prefix, kAdvertisedPathId, kNoAttrs);
        }
        store.release(w.attrs);  // the Adj-RIB-Out keeps its own reference
        after.push_back({before[0].attrs, w.source, w.source_path_id, kAdvertisedPathId});
      } else {
        add(all_but(w.source), s.prefix, kAdvertisedPathId, w.attrs);
        // The new source had been sent the old route: it must withdraw it now.
        if (!before.empty() && new_held != kNobody && new_held != old_held)
          add({Audience::only, new_held}, s.prefix, kAdvertisedPathId, kNoAttrs);
        if (!before.empty()) store.release(before[0].attrs);
        after.push_back({w.attrs, w.source, w.source_path_id, kAdvertisedPathId});  // takes over the staged reference
      }
    }
    s.paths.clear();  // every reference was handed on or released
    if (after.empty()) {
      if (it != g.adj_out.end()) g.adj_out.erase(it);
    } else if (it != g.adj_out.end()) {
      it->second = std::move(after);
    } else {
      g.adj_out.emplace(s.prefix, std::move(after));
    }
  }
  g.staged.clear();
  g.staged_at.clear();
  if (buckets.empty()) return;

  // One buffer per audience; buckets of one audience are adjacent in the map.
  std::vector<std::pair<Audience, OutBuffer>> buffers;
  for (auto b = buckets.begin(); b != buckets.end();) {
    const Audience a = std::get<0>(b->first);
    auto bytes = std::make_shared<std::vector<uint8_t>>();
    for (; b != buckets.end() && std::get<0>(b->first) == a; ++b) {
      const auto& [aud, family, attrs] = b->first;
      if (pack_bucket(store, family, attrs, b->second, g.codec, *bytes)) continue;
      ++encode_failures_;
      if (a.kind == Audience::only) continue;
      for (const wire::NlriEntry& e : b->second) {  // withdrawn instead: not advertised any more
        auto it = g.adj_out.find(e.prefix);
        if (it == g.adj_out.end()) continue;
        OutPaths& paths = it->second;
        auto o = std::find_if(paths.begin(), paths.end(), [&](const OutPath& x) { return x.out_id == e.path_id; });
        if (o == paths.end()) continue;
        store.release(o->attrs);
        paths.erase(o);
        if (paths.empty()) g.adj_out.erase(it);
      }
    }
    buffers.emplace_back(a, std::move(bytes));
  }
  for (PeerId m : g.members)
    for (const auto& [a, buf] : buffers)
      if (a.includes(m)) push(m, buf);
  g.last_sent = now;
}

void UpdateGroups::send_table(UpdateGroup& g, PeerId peer, bool end_of_rib) {
  const AttrStore& store = rib_.attrs();
  std::map<std::pair<wire::Family, AttrId>, std::vector<wire::NlriEntry>> buckets;
  for (const auto& [p, paths] : g.adj_out)
    for (const OutPath& o : paths)
      if (o.source != peer) buckets[{family_of(p), o.attrs}].push_back({o.out_id, p});
  auto bytes = std::make_shared<std::vector<uint8_t>>();
  for (auto& [k, nlri] : buckets) {
    // Deterministic order inside a set (the table's own order is a hash order).
    std::sort(nlri.begin(), nlri.end(), [](const wire::NlriEntry& a, const wire::NlriEntry& b) {
      return std::tie(a.prefix, a.path_id) < std::tie(b.prefix, b.path_id);
    });
    if (!pack_bucket(store, k.first, k.second, nlri, g.codec, *bytes)) ++encode_failures_;
  }
  if (end_of_rib)
    for (std::size_t f = 0; f < wire::kFamilyCount; ++f)
      if (g.key.families[f]) wire::encode_end_of_rib(static_cast<wire::Family>(f), *bytes);
  push(peer, std::move(bytes));
}

UpdateGroup& UpdateGroups::join(PeerId peer, const MemberConfig& config) {
  for (const auto& ep : config.families)
    if (ep) set_rr_client(peer, ep->rr_client);
  if (peer >= members_.size()) members_.resize(peer + 1u);

  const GroupKey key = group_key(config);
  UpdateGroup* g = nullptr;
  for (auto& candidate : groups_)  // groups are few; this runs once per session
    if (candidate->key == key) g = candidate.get();
  if (!g) {
    auto fresh = std::make_unique<UpdateGroup>();
    fresh->id = next_group_id_++;
    fresh->key = key;
    fresh->codec.four_octet_as = key.four_octet_as;
    fresh->codec.extended_message = key.extended_message;
    fresh->codec.add_path_send = key.add_path_send;
    fresh->codec.ipv4_with_ipv6_next_hop = key.ipv4_with_ipv6_next_hop;
    g = fresh.get();
    groups_.push_back(std::move(fresh));
    // A new group exports the Rib's current selections; with no member yet,
    // nothing is encoded: the table goes to the member below.
    rib_.for_each_selected([&](const Prefix& p, std::span<const SelectedPath> sel) { stage(*g, p, sel); });
    clear_memo(*g);
    for (Staged& s : g->staged) {
      if (s.paths.empty()) continue;
      uint32_t id = kAdvertisedPathId;
      for (OutPath& o : s.paths) o.out_id = id++;
      g->adj_out.emplace(s.prefix, std::move(s.paths));
    }
    g->staged.clear();
    g->staged_at.clear();
  }
  // An existing group's Adj-RIB-Out is what its members hold: the newcomer gets
  // the same (changes held back for MRAI reach everyone together later).
  g->members.insert(std::upper_bound(g->members.begin(), g->members.end(), peer), peer);
  members_[peer].group = g;
  return *g;
}

void UpdateGroups::add_member(PeerId peer, const MemberConfig& config) {
  if (member(peer)) remove_member(peer);
  send_table(join(peer, config), peer, /*end_of_rib=*/true);
}

void UpdateGroups::change_member(PeerId peer, const MemberConfig& config) {
  Member* m = member(peer);
  if (!m) return add_member(peer, config);
  if (m->group->key == group_key(config)) {
    for (const auto& ep : config.families)
      if (ep) set_rr_client(peer, ep->rr_client);
    return;
  }
  // What the peer holds now, by family, prefix and path id; the queue (already
  // encoded from the old group) stays and goes out first.
  std::vector<wire::NlriEntry> held;
  for (const auto& [p, paths] : m->group->adj_out)
    for (const OutPath& o : paths)
      if (o.source != peer) held.push_back({o.out_id, p});
  const bool old_add_path_v4 = m->group->add_path(wire::Family::ipv4_unicast);
  const bool old_add_path_v6 = m->group->add_path(wire::Family::ipv6_unicast);

  std::deque<OutBuffer> queue = std::move(m->queue);
  const std::size_t bytes = m->bytes;
  remove_member(peer);
  UpdateGroup& g = join(peer, config);
  members_[peer].queue = std::move(queue);
  members_[peer].bytes = bytes;
  send_table(g, peer, /*end_of_rib=*/false);

  // Withdraw what the new group does not advertise to the peer. A change of
  // ADD-PATH send needs a new session (it is negotiated), so path ids compare.
  std::map<wire::Family, std::vector<wire::NlriEntry>> gone;
  for (const wire::NlriEntry& e : held) {
    const wire::Family family = family_of(e.prefix);
    const bool same_mode = g.add_path(family) ==
                           (family == wire::Family::ipv4_unicast ? old_add_path_v4 : old_add_path_v6);
    bool kept = false;
    if (g.key.families[wire::index(family)] && same_mode) {
      auto it = g.adj_out.find(e.prefix);
      if (it != g.adj_out.end())
        kept = std::any_of(it->second.begin(), it->second.end(),
                           [&](const OutPath& o) { return o.source != peer && o.out_id == e.path_id; });
    }
    if (!kept) gone[family].push_back(e);
  }
  if (gone.empty()) return;
  auto bytes_out = std::make_shared<std::vector<uint8_t>>();
  for (auto& [family, nlri] : gone) {
    std::sort(nlri.begin(), nlri.end(), [](const wire::NlriEntry& a, const wire::NlriEntry& b) {
      return std::tie(a.prefix, a.path_id) < std::tie(b.prefix, b.path_id);
    });
    wire::pack_withdrawals(family, nlri, g.codec, *bytes_out);
  }
  push(peer, std::move(bytes_out));
}

void UpdateGroups::resend(PeerId peer, wire::Family family, bool enhanced) {
  Member* m = member(peer);
  if (!m || !m->group->key.families[wire::index(family)]) return;
  UpdateGroup& g = *m->group;
  const AttrStore& store = rib_.attrs();
  std::map<AttrId, std::vector<wire::NlriEntry>> buckets;
  for (const auto& [p, paths] : g.adj_out)
    if (family_of(p) == family)
      for (const OutPath& o : paths)
        if (o.source != peer) buckets[o.attrs].push_back({o.out_id, p});
  auto bytes = std::make_shared<std::vector<uint8_t>>();
  const wire::AfiSafi afi_safi = wire::to_afi_safi(family);
  if (enhanced) wire::encode_route_refresh({afi_safi, wire::RefreshSubtype::begin}, *bytes);
  for (auto& [attrs, nlri] : buckets) {
    std::sort(nlri.begin(), nlri.end(), [](const wire::NlriEntry& a, const wire::NlriEntry& b) {
      return std::tie(a.prefix, a.path_id) < std::tie(b.prefix, b.path_id);
    });
    if (!pack_bucket(store, family, attrs, nlri, g.codec, *bytes)) ++encode_failures_;
  }
  if (enhanced) wire::encode_route_refresh({afi_safi, wire::RefreshSubtype::end}, *bytes);
  push(peer, std::move(bytes));
}

void UpdateGroups::reevaluate(uint32_t policy_id) {
  for (auto& g : groups_) {
    if (policy_id != 0 && g->key.export_policy != policy_id) continue;
    rib_.for_each_selected([&](const Prefix& p, std::span<const SelectedPath> sel) { stage(*g, p, sel); });
    clear_memo(*g);
    // Not held back for MRAI: a configuration change is the operator's, and
    // send_staged only sends what differs.
    send_staged(*g, g->last_sent.value_or(TimePoint{}));
  }
}

void UpdateGroups::set_draining(bool on, Withhold withhold_local) {
  draining_ = on;
  withhold_local_ = std::move(withhold_local);
  reevaluate();
}

void UpdateGroups::remove_member(PeerId peer) {
  Member* m = member(peer);
  if (!m) return;
  UpdateGroup* g = m->group;
  *m = Member{};
  g->members.erase(std::find(g->members.begin(), g->members.end(), peer));
  if (!g->members.empty()) return;
  free_group(*g);
  groups_.erase(std::find_if(groups_.begin(), groups_.end(), [&](const auto& p) { return p.get() == g; }));
}

void UpdateGroups::process(std::span<const RouteChange> changes, TimePoint now) {
  for (auto& g : groups_) {
    for (const RouteChange& c : changes)
      stage(*g, c.prefix, std::span<const SelectedPath>(c.selected.data(), c.selected.size()));
    clear_memo(*g);
    if (!g->mrai_holds(now)) send_staged(*g, now);
  }
}

void UpdateGroups::flush(TimePoint now) {
  for (auto& g : groups_)
    if (!g->staged.empty() && !g->mrai_holds(now)) send_staged(*g, now);
}

std::optional<TimePoint> UpdateGroups::next_deadline() const {
  std::optional<TimePoint> next;
  for (const auto& g : groups_)
    if (!g->staged.empty() && g->last_sent && g->key.mrai > Duration::zero()) {
      const TimePoint t = *g->last_sent + g->key.mrai;
      if (!next || t < *next) next = t;
    }
  return next;
}

std::size_t UpdateGroups::pending_bytes(PeerId peer) const {
  const Member* m = member(peer);
  return m ? m->bytes : 0;
}

std::size_t UpdateGroups::pending_buffers(PeerId peer) const {
  const Member* m = member(peer);
  return m ? m->queue.size() : 0;
}

OutBuffer UpdateGroups::pop(PeerId peer) {
  Member* m = member(peer);
  if (!m || m->queue.empty()) return nullptr;
  OutBuffer b = std::move(m->queue.front());
  m->queue.pop_front();
  m->bytes -= b->size();
  return b;
}

std::vector<OutBuffer> UpdateGroups::drain(PeerId peer) {
  std::vector<OutBuffer> out;
  while (OutBuffer b = pop(peer)) out.push_back(std::move(b));
  return out;
}

uint32_t UpdateGroups::group_of(PeerId peer) const {
  const Member* m = member(peer);
  return m ? m->group->id : 0;
}

AttrId UpdateGroups::advertised(PeerId peer, const Prefix& prefix) const {
  const std::vector<AdvertisedPath> paths = advertised_paths(peer, prefix);
  return paths.empty() ? kNoAttrs : paths.front().attrs;
}

std::vector<AdvertisedPath> UpdateGroups::advertised_paths(PeerId peer, const Prefix& prefix) const {
  std::vector<AdvertisedPath> out;
  const Member* m = member(peer);
  if (!m) return out;
  auto it = m->group->adj_out.find(prefix);
  if (it == m->group->adj_out.end()) return out;
  for (const OutPath& o : it->second)
    if (o.source != peer) out.push_back({o.out_id, o.attrs});
  return out;
}

std::size_t UpdateGroups::advertised_count(PeerId peer) const {
  const Member* m = member(peer);
  if (!m) return 0;
  return static_cast<std::size_t>(std::count_if(m->group->adj_out.begin(), m->group->adj_out.end(), [&](const auto& kv) {
    return std::any_of(kv.second.begin(), kv.second.end(), [&](const OutPath& o) { return o.source != peer; });
  }));
}

}  // namespace petrel::rib
