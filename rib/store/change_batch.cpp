// rib/store/change_batch.cpp — RouteChanges to a ChangeBatch (change_batch.hpp).
#include "rib/store/change_batch.hpp"

namespace petrel::rib::store {

void ChangeBatchBuilder::add(std::span<const RouteChange> changes, const Rib& rib) {
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
    auto [pi, new_peer] = peer_index_.try_emplace(best.peer, static_cast<uint32_t>(batch_.peers.size()));
    if (new_peer) {
      const PeerInfo& info = rib.peer(best.peer);
      batch_.peers.push_back(PeerRef{peer_name_ ? peer_name_(best.peer) : std::string(), info.address,
                                     info.peer_as, info.router_id});
    }
    auto [ai, new_attrs] = attr_index_.try_emplace(best.attrs, static_cast<uint32_t>(batch_.attrs.size()));
    if (new_attrs) {
      auto& kept = shared_[best.attrs];
      const uint64_t generation = rib.attrs().generation(best.attrs);
      if (!kept.attrs || kept.generation != generation)
        kept = Shared{std::make_shared<const RouteAttrs>(rib.attrs().get(best.attrs)), generation};
      batch_.attrs.push_back(kept.attrs);
    }
    r.peer = pi->second;
    r.attrs = ai->second;
    batch_.records.push_back(r);
  }
  // AttrIds and PeerIds are reused once freed: an index holds for one decision.
  peer_index_.clear();
  attr_index_.clear();
  // Sets the RIB freed stay in shared_ until their id is reused; bounded.
  if (shared_.size() > 2 * rib.attrs().size() + 4096) shared_.clear();
}

ChangeBatch ChangeBatchBuilder::take(int64_t time_ms) {
  ChangeBatch out = std::move(batch_);
  out.time_ms = time_ms;
  batch_ = ChangeBatch();
  return out;
}

}  // namespace petrel::rib::store
