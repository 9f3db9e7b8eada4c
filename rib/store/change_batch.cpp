// rib/store/change_batch.cpp — decisions to ChangeBatches (change_batch.hpp).
#include "rib/store/change_batch.hpp"

#include <algorithm>
#include <utility>

namespace petrel::rib::store {

ChangeBatchBuilder::Slot ChangeBatchBuilder::first_use_of_peer(PeerId id, const Rib& rib) {
  const PeerInfo& info = rib.peer(id);
  batch_.peers.push_back(
      PeerRef{peer_name_ ? peer_name_(id) : std::string(), info.address, info.peer_as, info.router_id});
  return Slot{stamp_, static_cast<uint32_t>(batch_.peers.size() - 1)};
}

ChangeBatchBuilder::Slot ChangeBatchBuilder::first_use_of_attrs(AttrId id, const Rib& rib) {
  Shared& kept = shared_[id];
  const uint64_t generation = rib.attrs().generation(id);
  if (!kept.attrs || kept.generation != generation)
    kept = Shared{std::make_shared<const RouteAttrs>(rib.attrs().get(id)), generation};
  batch_.attrs.push_back(kept.attrs);
  return Slot{stamp_, static_cast<uint32_t>(batch_.attrs.size() - 1)};
}

void ChangeBatchBuilder::translate(std::vector<SelectedPath>& paths, const Rib& rib) {
  for (SelectedPath& p : paths) {
    p.peer = static_cast<PeerId>(peer_index(p.peer, rib));
    p.attrs = attrs_index(p.attrs, rib);
  }
}

void ChangeBatchBuilder::give(ChangeBatch&& spare) {
  if (spare.changed_v4.capacity() > spare_.changed_v4.capacity()) spare_.changed_v4 = std::move(spare.changed_v4);
  if (spare.decided.prefixes.capacity() > spare_.decided.prefixes.capacity()) spare_.decided = std::move(spare.decided);
}

ChangeBatch ChangeBatchBuilder::build(std::span<const RouteChange> changes, DecidedPaths& decided, const Rib& rib,
                                      int64_t time_ms) {
  if (++stamp_ == 0) {  // wrapped: no slot may look current
    for (Slot& s : peer_slots_) s.stamp = 0;
    for (Slot& s : attr_slots_) s.stamp = 0;
    stamp_ = 1;
  }
  // Sized once per decision, so that the loops do no bounds work: one load and
  // one compare per id, the first use of an id in this decision aside.
  if (peer_slots_.size() < rib.peer_limit()) peer_slots_.resize(rib.peer_limit());
  if (attr_slots_.size() < rib.attrs().id_limit()) {
    attr_slots_.resize(rib.attrs().id_limit());
    shared_.resize(rib.attrs().id_limit());
  }
  batch_.time_ms = time_ms;
  // The RIB's report is taken over; the caller keeps the spare memory.
  std::swap(batch_.decided, decided);
  std::swap(decided, spare_.decided);
  decided.clear();
  std::swap(batch_.changed_v4, spare_.changed_v4);
  batch_.changed_v4.clear();
  batch_.changed_v4.reserve(changes.size());
  DecidedPaths& other = batch_.decided;
  for (const RouteChange& c : changes) {
    if (!c.all_paths) continue;  // its prefix is in `decided`
    if (c.prefix.is_v4() && c.selected.size() <= 1) {
      ChangedV4 r;
      r.address = c.prefix.address().v4_value();
      r.length = c.prefix.length();
      if (!c.selected.empty()) {
        const SelectedPath& p = c.selected.front();
        r.has_path = true;
        r.peer = static_cast<uint16_t>(peer_index(p.peer, rib));
        r.path_id = p.path_id;
        r.attrs = attrs_index(p.attrs, rib);
      }
      batch_.changed_v4.push_back(r);
      continue;
    }
    other.prefixes.push_back({c.prefix, static_cast<uint8_t>(std::min<std::size_t>(c.selected.size(), 255)), true,
                              static_cast<uint32_t>(other.paths.size()), static_cast<uint32_t>(c.selected.size())});
    other.paths.insert(other.paths.end(), c.selected.begin(), c.selected.end());
  }
  translate(other.paths, rib);
  ChangeBatch out = std::move(batch_);
  batch_ = ChangeBatch();
  return out;
}

}  // namespace petrel::rib::store
