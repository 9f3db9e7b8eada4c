// rib/store/change_batch.hpp — one decision as the store thread takes it: every
// decided prefix with every path the RIB holds for it (best first; the
// snapshot's content) and whether its selection changed (a journal entry). A
// plain value (no pointer into the RIB), built on the RIB's thread from the
// decision's RouteChanges and Rib::decide()'s DecidedPaths. Peers and attribute
// sets are copied once per decision however many prefixes share them.
// Attribute sets are shared (immutable, reference counted): the builder keeps
// the copy it made of an AttrId's set across decisions and hands the same one
// out again while the id still names that set (ids are reused once freed:
// AttrStore::generation() tells), so a full table costs one copy per distinct set.
// Cost on the RIB's thread (bench/store_bench), the store's whole share of a
// convergence: a change that is every path of an IPv4 prefix (nearly every
// change of a full table; RouteChange::all_paths) becomes a 16-byte record
// read from the RouteChange, which the RIB made anyway; the RIB reports only
// the other prefixes' paths (DecidedPaths), whose vectors the batch takes over
// without a copy. Ids become the batch's indices through dense tables indexed
// by PeerId and AttrId, valid for the decision whose stamp they carry (no
// hashing, nothing to clear).
// Pure; built on the RIB's thread, consumed by the store thread (store.hpp).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "rib/rib.hpp"
#include "rib/store/records.hpp"

namespace petrel::rib::store {

// An IPv4 prefix whose selection changed to every path it has, one at most: a
// journal entry and its whole snapshot (one path, or none left: deleted).
struct ChangedV4 {
  uint32_t address = 0;  // host order
  uint8_t length = 0;
  bool has_path = false;  // false: no path left (withdrawn)
  uint16_t peer = 0;      // index into ChangeBatch::peers
  uint32_t path_id = 0;
  uint32_t attrs = 0;  // index into ChangeBatch::attrs
  Prefix prefix() const { return Prefix::make(IpAddress::v4(address), length); }
};
static_assert(sizeof(ChangedV4) == 16);

struct ChangeBatch {
  int64_t time_ms = 0;
  std::vector<PeerRef> peers;
  std::vector<std::shared_ptr<const RouteAttrs>> attrs;
  // The decision's prefixes, each at most once, in one of two forms:
  std::vector<ChangedV4> changed_v4;
  // Every other decided prefix with every path, best first (Rib::decide's
  // DecidedPaths, taken over without a copy, plus the changes that are every
  // path of an IPv6 prefix or of several paths). In `decided.paths`, `peer` and
  // `attrs` are indices into `peers` and `attrs` here, no longer RIB ids. A
  // prefix whose selection changed is a journal entry (its best: its first
  // path; none selected: withdrawn); every prefix is a snapshot entry (no path
  // left: the entry goes).
  DecidedPaths decided;
  std::size_t size() const { return changed_v4.size() + decided.prefixes.size(); }
};

// Makes ChangeBatches from decisions. `peer_name` names a RIB peer ("static"
// for our own routes); its address and AS come from the RIB.
class ChangeBatchBuilder {
 public:
  using PeerName = std::function<std::string(PeerId)>;
  explicit ChangeBatchBuilder(PeerName peer_name) : peer_name_(std::move(peer_name)) {}

  // One decision: its RouteChanges and the DecidedPaths of the same decide()
  // (ids are looked up during the call only), timestamped `time_ms`. Takes
  // `decided`'s contents without copying them; `decided` is left empty,
  // holding the memory of a batch given back (give()) when there is one.
  ChangeBatch build(std::span<const RouteChange> changes, DecidedPaths& decided, const Rib& rib, int64_t time_ms);
  // A used batch (vectors cleared, their capacity kept): the store hands
  // written batches' memory back (Store::take_spare()), and build() passes it
  // on, so a stream of decisions reuses the same memory instead of faulting in
  // new pages.
  void give(ChangeBatch&& spare);

 private:
  struct Slot {  // an id's index in the batch, valid while `stamp` is this decision's
    uint32_t stamp = 0;
    uint32_t index = 0;
  };
  void translate(std::vector<SelectedPath>& paths, const Rib& rib);
  Slot first_use_of_peer(PeerId id, const Rib& rib);
  Slot first_use_of_attrs(AttrId id, const Rib& rib);
  uint32_t peer_index(PeerId id, const Rib& rib) {
    Slot& s = peer_slots_[id];
    if (s.stamp != stamp_) [[unlikely]]
      s = first_use_of_peer(id, rib);
    return s.index;
  }
  uint32_t attrs_index(AttrId id, const Rib& rib) {
    Slot& s = attr_slots_[id];
    if (s.stamp != stamp_) [[unlikely]]
      s = first_use_of_attrs(id, rib);
    return s.index;
  }

  PeerName peer_name_;
  ChangeBatch batch_;  // the one being built
  ChangeBatch spare_;  // memory given back
  uint32_t stamp_ = 0;
  std::vector<Slot> peer_slots_;  // per PeerId
  std::vector<Slot> attr_slots_;  // per AttrId
  // Per AttrId, across decisions: the copy made of its set, while the id still
  // names that set. At most one per AttrStore slot (the RIB's high-water mark).
  struct Shared {
    std::shared_ptr<const RouteAttrs> attrs;
    uint64_t generation = 0;  // AttrStore::generation() when copied
  };
  std::vector<Shared> shared_;
};

}  // namespace petrel::rib::store
