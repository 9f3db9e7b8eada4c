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
    uint32_t peer = 0;   // index into peers
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
  boost::unordered_flat_map<PeerId, uint32_t> peer_index_;
  boost::unordered_flat_map<AttrId, uint32_t> attr_index_;
  struct Shared {
    std::shared_ptr<const RouteAttrs> attrs;
    uint64_t generation = 0;  // AttrStore::generation() when copied
  };
  boost::unordered_flat_map<AttrId, Shared> shared_;  // across decisions
};

}  // namespace petrel::rib::store
