// rib/store/change_batch.cpp — decisions to a ChangeBatch (change_batch.hpp).
#include "rib/store/change_batch.hpp"

#include <utility>

namespace petrel::rib::store {

void ChangeBatchBuilder::translate(DecidedPaths& decided, std::size_t from_path, const Rib& rib) {
  for (std::size_t i = from_path; i < decided.paths.size(); ++i) {
    SelectedPath& p = decided.paths[i];
    if (p.peer >= peer_slots_.size()) peer_slots_.resize(std::size_t{p.peer} + 1);
    Slot& ps = peer_slots_[p.peer];
    if (ps.stamp != stamp_) {
      const PeerInfo& info = rib.peer(p.peer);
      ps = Slot{stamp_, static_cast<uint32_t>(batch_.peers.size())};
      batch_.peers.push_back(PeerRef{peer_name_ ? peer_name_(p.peer) : std::string(), info.address, info.peer_as,
                                     info.router_id});
    }
    if (p.attrs >= attr_slots_.size()) {
      attr_slots_.resize(std::size_t{p.attrs} + 1);
      shared_.resize(std::size_t{p.attrs} + 1);
    }
    Slot& as = attr_slots_[p.attrs];
    if (as.stamp != stamp_) {
      as = Slot{stamp_, static_cast<uint32_t>(batch_.attrs.size())};
      Shared& kept = shared_[p.attrs];
      const uint64_t generation = rib.attrs().generation(p.attrs);
      if (!kept.attrs || kept.generation != generation)
        kept = Shared{std::make_shared<const RouteAttrs>(rib.attrs().get(p.attrs)), generation};
      batch_.attrs.push_back(kept.attrs);
    }
    p.peer = static_cast<PeerId>(ps.index);
    p.attrs = as.index;
  }
}

void ChangeBatchBuilder::add(DecidedPaths& decided, const Rib& rib) {
  if (++stamp_ == 0) {  // wrapped: no slot may look current
    for (Slot& s : peer_slots_) s.stamp = 0;
    for (Slot& s : attr_slots_) s.stamp = 0;
    stamp_ = 1;
  }
  DecidedPaths& into = batch_.decided;
  if (into.prefixes.empty()) {
    // The common case (one decision per batch): taken over, not copied.
    std::swap(into, decided);
    translate(into, 0, rib);
  } else {
    const std::size_t from_path = into.paths.size();
    const auto shift = static_cast<uint32_t>(from_path);
    into.paths.insert(into.paths.end(), decided.paths.begin(), decided.paths.end());
    for (DecidedPaths::Entry d : decided.prefixes) {
      d.first += shift;
      into.prefixes.push_back(d);
    }
    translate(into, from_path, rib);
  }
  // The caller's next decision reuses a written batch's memory, or its own.
  if (decided.prefixes.capacity() < spare_.prefixes.capacity()) std::swap(decided, spare_);
  decided.clear();
}

ChangeBatch ChangeBatchBuilder::take(int64_t time_ms) {
  ChangeBatch out = std::move(batch_);
  out.time_ms = time_ms;
  batch_ = ChangeBatch();
  return out;
}

}  // namespace petrel::rib::store
