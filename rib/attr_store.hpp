// rib/attr_store.hpp — interned route attributes: identical sets are stored once
// and shared. A million routes with a few thousand distinct attribute sets cost a
// few thousand sets plus a 4-byte id per route.
//
// RouteAttrs is what a route carries besides its prefix: the path attributes and
// the next hop (NEXT_HOP for IPv4 unicast, the MP_REACH_NLRI next hop otherwise).
// intern() returns an AttrId holding one reference; release() drops one, and the
// set is freed with its last reference. Ids of freed sets are reused.
// Single-threaded: owned by the RIB's thread.
#pragma once

#include <boost/unordered/unordered_flat_set.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "bgp/wire/path_attributes.hpp"
#include "core/ip.hpp"

namespace petrel::rib {

struct RouteAttrs {
  bgp::wire::PathAttributes attrs;
  IpAddress next_hop;
  std::optional<IpAddress> link_local_next_hop;  // IPv6 (RFC 2545 §3)
  friend bool operator==(const RouteAttrs&, const RouteAttrs&) = default;
};

std::size_t hash_value(const RouteAttrs& a);

using AttrId = uint32_t;
inline constexpr AttrId kNoAttrs = 0;

class AttrStore {
 public:
  AttrStore();
  AttrStore(const AttrStore&) = delete;
  AttrStore& operator=(const AttrStore&) = delete;

  // The id of `a`'s set, with one more reference (new, or shared with an equal set).
  AttrId intern(const RouteAttrs& a);
  void acquire(AttrId id);  // one more reference to a live set
  void release(AttrId id);  // one reference less; the last one frees the set

  const RouteAttrs& get(AttrId id) const { return slots_[id].attrs; }
  uint32_t references(AttrId id) const { return slots_[id].refs; }
  // Differs whenever `id` names another set (ids are reused once freed; a set
  // never changes while interned): (id, generation) names one set for good.
  uint64_t generation(AttrId id) const { return slots_[id].generation; }
  std::size_t size() const { return live_; }
  // Every id in use is below this (the slots ever allocated).
  std::size_t id_limit() const { return slots_.size(); }

 private:
  struct Slot {
    RouteAttrs attrs;
    std::size_t hash = 0;
    uint32_t refs = 0;
    uint64_t generation = 0;
  };
  struct Probe {
    const RouteAttrs* attrs;
    std::size_t hash;
  };
  struct Hash {
    using is_transparent = void;
    const AttrStore* store;
    std::size_t operator()(AttrId id) const { return store->slots_[id].hash; }
    std::size_t operator()(const Probe& p) const { return p.hash; }
  };
  struct Equal {
    using is_transparent = void;
    const AttrStore* store;
    bool operator()(AttrId a, AttrId b) const { return a == b; }
    bool operator()(const Probe& p, AttrId id) const {
      return store->slots_[id].hash == p.hash && store->slots_[id].attrs == *p.attrs;
    }
    bool operator()(AttrId id, const Probe& p) const { return (*this)(p, id); }
  };

  std::vector<Slot> slots_;  // slot 0 is kNoAttrs, never used
  std::vector<AttrId> free_;
  boost::unordered_flat_set<AttrId, Hash, Equal> index_;
  std::size_t live_ = 0;
  uint64_t generation_ = 0;
};

}  // namespace petrel::rib
