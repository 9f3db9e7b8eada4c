// rib/adj_rib_in.hpp — one peer's routes as received, before import policy:
// soft reconfiguration inbound (RFC 4271 §3.2 Adj-RIB-In; BIRD's "import
// table", FRR's "soft-reconfiguration inbound").
//
// Kept only for peers configured so: it costs one table entry per received
// route (the attribute sets are interned and shared with the Rib). When import
// policy changes, reimport() (rib/import.hpp) runs every stored route through
// the checks and the new policy again — no session reset, no ROUTE-REFRESH.
// Holds one reference per route in the Rib's AttrStore, so it must be destroyed
// (or cleared) before the Rib. Single-threaded: the RIB's thread.
#pragma once

#include <boost/unordered/unordered_flat_map.hpp>

#include <cstddef>
#include <cstdint>

#include "core/ip.hpp"
#include "rib/attr_store.hpp"

namespace petrel::rib {

class AdjRibIn {
 public:
  struct Route {
    AttrId attrs = kNoAttrs;  // as received (next hop included), before policy
    uint8_t flags = 0;        // path_flag bits from the UPDATE (LLGR_STALE)
  };

  explicit AdjRibIn(AttrStore& store) : store_(store) {}
  ~AdjRibIn() { clear(); }
  AdjRibIn(const AdjRibIn&) = delete;
  AdjRibIn& operator=(const AdjRibIn&) = delete;

  // Records the route (taking a reference of its own to `attrs`), replacing an
  // earlier version.
  void put(const Prefix& prefix, uint32_t path_id, AttrId attrs, uint8_t flags);
  void erase(const Prefix& prefix, uint32_t path_id);
  void clear();
  std::size_t size() const { return routes_.size(); }

  // f(const Prefix&, uint32_t path_id, const Route&) for each route, in no order.
  template <class F>
  void for_each(F&& f) const {
    for (const auto& [key, route] : routes_) f(key.prefix, key.path_id, route);
  }

 private:
  struct Key {
    Prefix prefix;
    uint32_t path_id = 0;
    friend bool operator==(const Key&, const Key&) = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const { return std::hash<Prefix>{}(k.prefix) * 31 + k.path_id; }
  };
  AttrStore& store_;
  boost::unordered_flat_map<Key, Route, KeyHash> routes_;
};

}  // namespace petrel::rib
