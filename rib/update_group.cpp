// rib/update_group.cpp — see update_group.hpp.
#include "rib/update_group.hpp"

#include <boost/unordered/unordered_flat_map.hpp>

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

#include "bgp/wire/update_packer.hpp"

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

// What one group has advertised for a prefix: the exported set (one reference in
// the Rib's store) and the peer the path came from. Every member except `source`
// has been sent `attrs`.
struct OutEntry {
  AttrId attrs = kNoAttrs;
  PeerId source = 0;
};

// The wanted state of a prefix not yet sent: `attrs` (one reference, or kNoAttrs
// for "not exported") from `source`.
struct Staged {
  Prefix prefix;
  AttrId attrs = kNoAttrs;
  PeerId source = 0;
};

class UpdateGroup {
 public:
  uint32_t id = 0;
  GroupKey key;
  wire::CodecContext codec;    // the byte-changing bits of the key
  std::vector<PeerId> members;  // sorted
  boost::unordered_flat_map<Prefix, OutEntry, std::hash<Prefix>> adj_out;
  std::vector<Staged> staged;
  boost::unordered_flat_map<Prefix, std::size_t, std::hash<Prefix>> staged_at;  // index into `staged`
  // Export results of the batch being processed: (input set, source) -> output,
  // holding one reference to each output. Valid only while the batch's input
  // ids are live, so cleared after each batch.
  boost::unordered_flat_map<uint64_t, AttrId> memo;
  std::optional<TimePoint> last_sent;  // for MRAI

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
  for (const auto& [p, e] : g.adj_out) store.release(e.attrs);
  for (const Staged& s : g.staged)
    if (s.attrs != kNoAttrs) store.release(s.attrs);
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

void UpdateGroups::stage(UpdateGroup& g, const Prefix& prefix, const SelectedPath* best) {
  const wire::Family family = family_of(prefix);
  const std::optional<ExportPeer>& to = g.key.families[wire::index(family)];
  if (!to) return;  // the group does not carry this family
  AttrStore& store = rib_.attrs();

  AttrId out = kNoAttrs;
  PeerId source = 0;
  if (best) {
    source = best->peer;
    const uint64_t memo_key = (uint64_t{best->attrs} << 16) | best->peer;
    if (auto it = g.memo.find(memo_key); it != g.memo.end()) {
      out = it->second;
      if (out != kNoAttrs) store.acquire(out);
    } else {
      const PeerInfo& info = rib_.peer(best->peer);
      SourcePeer from;
      from.local = info.local;
      from.external = info.external;
      from.rr_client = rr_client(best->peer);
      from.router_id = info.router_id;
      // Split horizon is per member, not per group: see the header.
      from.same_peer_as_target = false;
      ExportResult r = export_route(store.get(best->attrs), from, *to, me_);
      // An IPv4 route with an IPv6 next hop needs RFC 8950 on the session.
      const bool encodable = family == wire::Family::ipv6_unicast || r.attrs.next_hop.is_v4() ||
                             g.codec.ipv4_with_ipv6_next_hop;
      if (r.verdict == ExportVerdict::advertise && encodable) {
        out = store.intern(r.attrs);
        store.acquire(out);  // the memo's own reference, dropped by clear_memo()
        g.memo.emplace(memo_key, out);
      } else {
        g.memo.emplace(memo_key, kNoAttrs);
      }
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

  // The latest state per prefix wins (MRAI coalescing).
  if (auto it = g.staged_at.find(prefix); it != g.staged_at.end()) {
    Staged& s = g.staged[it->second];
    if (s.attrs != kNoAttrs) store.release(s.attrs);
    s.attrs = out;
    s.source = source;
  } else {
    g.staged_at.emplace(prefix, g.staged.size());
    g.staged.push_back({prefix, out, source});
  }
}

namespace {

using BucketKey = std::tuple<Audience, wire::Family, AttrId>;  // AttrId kNoAttrs: withdrawals
using Buckets = std::map<BucketKey, std::vector<wire::NlriEntry>>;

wire::NlriEntry nlri_of(const Prefix& p) { return {kAdvertisedPathId, p}; }

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

}  // namespace

void UpdateGroups::send_staged(UpdateGroup& g, TimePoint now) {
  AttrStore& store = rib_.attrs();
  Buckets buckets;
  auto add = [&](Audience a, const Prefix& p, AttrId attrs) {
    buckets[{a, family_of(p), attrs}].push_back(nlri_of(p));
  };
  // The member that must not hold the prefix (its source), if it is one of ours.
  auto held_from = [&](PeerId source) { return g.is_member(source) ? source : kNobody; };

  for (const Staged& s : g.staged) {
    auto it = g.adj_out.find(s.prefix);
    const bool had = it != g.adj_out.end();
    const PeerId old_held = had ? held_from(it->second.source) : kNobody;
    if (s.attrs == kNoAttrs) {
      if (!had) continue;  // never advertised: nothing to withdraw
      add(old_held == kNobody ? Audience{} : Audience{Audience::all_but, old_held}, s.prefix, kNoAttrs);
      store.release(it->second.attrs);
      g.adj_out.erase(it);
      continue;
    }
    const PeerId new_held = held_from(s.source);
    if (had && it->second.attrs == s.attrs) {
      // The same set: only the member left out can change.
      if (old_held != new_held) {
        if (old_held != kNobody) add({Audience::only, old_held}, s.prefix, s.attrs);
        if (new_held != kNobody) add({Audience::only, new_held}, s.prefix, kNoAttrs);
      }
      it->second.source = s.source;
      store.release(s.attrs);  // the Adj-RIB-Out keeps its own reference
      continue;
    }
    add(new_held == kNobody ? Audience{} : Audience{Audience::all_but, new_held}, s.prefix, s.attrs);
    // The new source had been sent the old route: it must withdraw it now.
    if (had && new_held != kNobody && new_held != old_held) add({Audience::only, new_held}, s.prefix, kNoAttrs);
    if (had) {
      store.release(it->second.attrs);
      it->second = {s.attrs, s.source};  // takes over the staged reference
    } else {
      g.adj_out.emplace(s.prefix, OutEntry{s.attrs, s.source});
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
        store.release(it->second.attrs);
        g.adj_out.erase(it);
      }
    }
    buffers.emplace_back(a, std::move(bytes));
  }
  for (PeerId m : g.members)
    for (const auto& [a, buf] : buffers)
      if (a.includes(m)) push(m, buf);
  g.last_sent = now;
}

void UpdateGroups::send_table(UpdateGroup& g, PeerId peer) {
  const AttrStore& store = rib_.attrs();
  std::map<std::pair<wire::Family, AttrId>, std::vector<wire::NlriEntry>> buckets;
  for (const auto& [p, e] : g.adj_out)
    if (e.source != peer) buckets[{family_of(p), e.attrs}].push_back(nlri_of(p));
  auto bytes = std::make_shared<std::vector<uint8_t>>();
  for (auto& [k, nlri] : buckets) {
    // Deterministic order inside a set (the table's own order is a hash order).
    std::sort(nlri.begin(), nlri.end(),
              [](const wire::NlriEntry& a, const wire::NlriEntry& b) { return a.prefix < b.prefix; });
    if (!pack_bucket(store, k.first, k.second, nlri, g.codec, *bytes)) ++encode_failures_;
  }
  for (std::size_t f = 0; f < wire::kFamilyCount; ++f)
    if (g.key.families[f]) wire::encode_end_of_rib(static_cast<wire::Family>(f), *bytes);
  push(peer, std::move(bytes));
}

void UpdateGroups::add_member(PeerId peer, const MemberConfig& config) {
  if (member(peer)) remove_member(peer);
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
    rib_.for_each_selected([&](const Prefix& p, std::span<const SelectedPath> sel) { stage(*g, p, &sel.front()); });
    clear_memo(*g);
    for (const Staged& s : g->staged)
      if (s.attrs != kNoAttrs) g->adj_out.emplace(s.prefix, OutEntry{s.attrs, s.source});
    g->staged.clear();
    g->staged_at.clear();
  }
  // An existing group's Adj-RIB-Out is what its members hold: the newcomer gets
  // the same (changes held back for MRAI reach everyone together later).
  g->members.insert(std::upper_bound(g->members.begin(), g->members.end(), peer), peer);
  members_[peer].group = g;
  send_table(*g, peer);
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
    for (const RouteChange& c : changes) stage(*g, c.prefix, c.selected.empty() ? nullptr : &c.selected.front());
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
  const Member* m = member(peer);
  if (!m) return kNoAttrs;
  auto it = m->group->adj_out.find(prefix);
  if (it == m->group->adj_out.end() || it->second.source == peer) return kNoAttrs;
  return it->second.attrs;
}

std::size_t UpdateGroups::advertised_count(PeerId peer) const {
  const Member* m = member(peer);
  if (!m) return 0;
  return static_cast<std::size_t>(std::count_if(m->group->adj_out.begin(), m->group->adj_out.end(),
                                                [&](const auto& kv) { return kv.second.source != peer; }));
}

}  // namespace petrel::rib
