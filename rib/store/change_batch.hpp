// rib/store/change_batch.hpp — one decision's best-path changes as the store
// thread takes them: a plain value (no pointer into the RIB), built on the RIB's
// thread at the cost of one small record per prefix. Peers and attribute sets
// are copied once per batch however many prefixes share them.
// Attribute sets are shared (immutable, reference counted): the builder keeps
// the copy it made of an AttrId's set across decisions and hands the same one
// out again while the id still names that set (ids are reused once freed:
// AttrStore::generation() tells), so a full table costs one copy per distinct set.
// Pure; built on the RIB's thread, consumed by the store thread (store.hpp).
#pragma once

#include <boost/unordered/unordered_flat_map.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "rib/rib.hpp"
#include "rib/store/records.hpp"

namespace petrel::rib::store {

struct ChangeBatch {
  struct Record {
    Prefix prefix;
    uint16_t peer = 0;   // index into peers (PeerIds are 16-bit)
    uint32_t attrs = 0;  // index into attrs
    bool withdrawn = false;
  };
  int64_t time_ms = 0;
  std::vector<PeerRef> peers;
  std::vector<std::shared_ptr<const RouteAttrs>> attrs;
  std::vector<Record> records;
};

// Fills a ChangeBatch from RouteChanges. `peer_name` names a RIB peer ("static"
// for our own routes); its address and AS come from the RIB.
class ChangeBatchBuilder {
 public:
  using PeerName = std::function<std::string(PeerId)>;
  explicit ChangeBatchBuilder(PeerName peer_name) : peer_name_(std::move(peer_name)) {}

  // One decision's changes (ids are looked up during the call only).
  void add(std::span<const RouteChange> changes, const Rib& rib);
  // The batch so far (timestamped `time_ms`); the builder starts empty again.
  ChangeBatch take(int64_t time_ms);
  // A used record vector (cleared, its capacity kept) for the next batch: the
  // store hands written batches' memory back (Store::take_spare()), so a stream
  // of decisions reuses the same memory instead of faulting in new pages.
  void give(std::vector<ChangeBatch::Record>&& spare) {
    if (batch_.records.empty() && spare.capacity() > batch_.records.capacity()) batch_.records = std::move(spare);
  }
  std::size_t size() const { return batch_.records.size(); }

 private:
  PeerName peer_name_;
  ChangeBatch batch_;
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
