// rib/store/change_batch.cpp — RouteChanges to a ChangeBatch (change_batch.hpp).
#include "rib/store/change_batch.hpp"

namespace petrel::rib::store {

void ChangeBatchBuilder::add(std::span<const RouteChange> changes, const Rib& rib) {
  if (++stamp_ == 0) {  // wrapped: no slot may look current
    for (Slot& s : peer_slots_) s.stamp = 0;
    for (Slot& s : attr_slots_) s.stamp = 0;
    stamp_ = 1;
  }
  batch_.records.reserve(batch_.records.size() + changes.size());
  for (const RouteChange& c : changes) {
    ChangeBatch::Record r;
    r.prefix = c.prefix;
    if (c.selected.empty()) {
      r.withdrawn = true;  // the store knows whose best it was
      batch_.records.push_back(r);
      continue;
    }
    const SelectedPath& best = c.selected.front();
    if (best.peer >= peer_slots_.size()) peer_slots_.resize(std::size_t{best.peer} + 1);
    Slot& ps = peer_slots_[best.peer];
    if (ps.stamp != stamp_) {
      const PeerInfo& info = rib.peer(best.peer);
      ps = Slot{stamp_, static_cast<uint32_t>(batch_.peers.size())};
      batch_.peers.push_back(PeerRef{peer_name_ ? peer_name_(best.peer) : std::string(), info.address,
                                     info.peer_as, info.router_id});
    }
    if (best.attrs >= attr_slots_.size()) {
      attr_slots_.resize(std::size_t{best.attrs} + 1);
      shared_.resize(std::size_t{best.attrs} + 1);
    }
    Slot& as = attr_slots_[best.attrs];
    if (as.stamp != stamp_) {
      as = Slot{stamp_, static_cast<uint32_t>(batch_.attrs.size())};
      Shared& kept = shared_[best.attrs];
      const uint64_t generation = rib.attrs().generation(best.attrs);
      if (!kept.attrs || kept.generation != generation)
        kept = Shared{std::make_shared<const RouteAttrs>(rib.attrs().get(best.attrs)), generation};
      batch_.attrs.push_back(kept.attrs);
    }
    r.peer = static_cast<uint16_t>(ps.index);
    r.attrs = as.index;
    batch_.records.push_back(r);
  }
}

ChangeBatch ChangeBatchBuilder::take(int64_t time_ms) {
  ChangeBatch out = std::move(batch_);
  out.time_ms = time_ms;
  batch_ = ChangeBatch();
  return out;
}

}  // namespace petrel::rib::store
