// rib/store/change_batch.hpp — one decision as the store thread takes it: every
// decided prefix with every path the RIB holds for it (best first; the
// snapshot's content) and whether its selection changed (a journal entry). A
// plain value (no pointer into the RIB), built on the RIB's thread from
// Rib::decide()'s DecidedPaths. Peers and attribute sets are copied once per
// decision however many prefixes share them.
// Attribute sets are shared (immutable, reference counted): the builder keeps
// the copy it made of an AttrId's set across decisions and hands the same one
// out again while the id still names that set (ids are reused once freed:
// AttrStore::generation() tells), so a full table costs one copy per distinct set.
// Cost on the RIB's thread (bench/store_bench): per path, two array lookups
// (dense tables indexed by PeerId and AttrId, valid for the decision whose stamp
// they carry: no hashing, nothing to clear), the ids rewritten in place; the
// RIB's DecidedPaths vectors are moved into the batch, not copied.
// Pure; built on the RIB's thread, consumed by the store thread (store.hpp).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "rib/rib.hpp"
#include "rib/store/records.hpp"

namespace petrel::rib::store {

struct ChangeBatch {
  int64_t time_ms = 0;
  std::vector<PeerRef> peers;
  std::vector<std::shared_ptr<const RouteAttrs>> attrs;
  // The decisions' prefixes, each with every path, best first (Rib::decide's
  // DecidedPaths, taken over without a copy). In `decided.paths`, `peer` and
  // `attrs` are indices into `peers` and `attrs` here, no longer RIB ids. A
  // prefix whose selection changed is a journal entry (its best: its first
  // path; none selected: withdrawn); every prefix is a snapshot entry (no path
  // left: the entry goes).
  DecidedPaths decided;
  std::size_t size() const { return decided.prefixes.size(); }
};

// Fills a ChangeBatch from decisions. `peer_name` names a RIB peer ("static"
// for our own routes); its address and AS come from the RIB.
class ChangeBatchBuilder {
 public:
  using PeerName = std::function<std::string(PeerId)>;
  explicit ChangeBatchBuilder(PeerName peer_name) : peer_name_(std::move(peer_name)) {}

  // One decision (ids are looked up during the call only). Takes `decided`'s
  // contents (into an empty batch without copying them); `decided` is left
  // empty, holding the memory of a batch given back (give()) when there is one.
  void add(DecidedPaths& decided, const Rib& rib);
  // The batch so far (timestamped `time_ms`); the builder starts empty again.
  ChangeBatch take(int64_t time_ms);
  // A used batch (vectors cleared, their capacity kept): the store hands
  // written batches' memory back (Store::take_spare()), and add() passes it on
  // to the RIB's next decision, so a stream of decisions reuses the same
  // memory instead of faulting in new pages.
  void give(ChangeBatch&& spare) {
    if (spare.decided.prefixes.capacity() > spare_.prefixes.capacity()) spare_ = std::move(spare.decided);
  }
  std::size_t size() const { return batch_.size(); }

 private:
  void translate(DecidedPaths& decided, std::size_t from_path, const Rib& rib);

  PeerName peer_name_;
  ChangeBatch batch_;
  DecidedPaths spare_;
  // Per PeerId / AttrId: its index in batch_.peers / batch_.attrs, valid when
  // its stamp is this decision's (ids are reused once freed: an index holds
  // for one add() only).
  struct Slot {
    uint32_t stamp = 0;
    uint32_t index = 0;
  };
  uint32_t stamp_ = 0;
  std::vector<Slot> peer_slots_;
  std::vector<Slot> attr_slots_;
  // Per AttrId, across decisions: the copy made of its set, while the id still
  // names that set. At most one per AttrStore slot (the RIB's high-water mark).
  struct Shared {
    std::shared_ptr<const RouteAttrs> attrs;
    uint64_t generation = 0;  // AttrStore::generation() when copied
  };
  std::vector<Shared> shared_;
};

}  // namespace petrel::rib::store
