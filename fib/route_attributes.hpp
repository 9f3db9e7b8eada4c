// fib/route_attributes.hpp — what a route has besides its prefix (next hops, blackhole,
// preferred source, metric, nexthop object), stored once per distinct set and shared
// by every prefix that has it.
//
// Why: the FIB writer keeps the desired route of every prefix (fib_table.hpp). A
// whole Route is 136 bytes, so at a million prefixes the table took about 330 MB,
// most of it the same few next-hop sets over and over, and every change wrote three
// cache lines of it. With the attributes interned an entry holds a 4-byte id: the
// table is about a fifth of the size, a change touches one line, and a full table's
// first load touches a fifth of the fresh memory (bench/README.md, FIB section).
//
// Reference counted: acquire() takes one reference to a route's attributes (a new
// id for a new set), release() drops one; a set nobody refers to is forgotten and
// its id reused. Ids are never 0. Pure; single-threaded (the writer thread's).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

#include "fib/route.hpp"

namespace petrel::fib {

struct RouteAttributes {
  Route::NextHops nexthops;
  bool blackhole = false;
  std::optional<IpAddress> preferred_source;
  std::optional<uint32_t> metric;
  uint32_t nexthop_id = 0;
  friend bool operator==(const RouteAttributes&, const RouteAttributes&) = default;
};

class RouteAttributeTable {
 public:
  using Id = uint32_t;

  Id acquire(const Route& route);
  void release(Id id);
  // The route of `prefix` with the attributes `id` (held).
  Route route(const Prefix& prefix, Id id) const;
  uint32_t effective_metric(const Prefix& prefix, Id id) const;
  std::size_t size() const { return ids_.size(); }  // distinct sets held
  uint32_t references(Id id) const { return slots_[id].references; }

 private:
  struct Hash {
    std::size_t operator()(const RouteAttributes& a) const;
  };
  struct Slot {
    RouteAttributes attributes;
    uint32_t references = 0;
  };
  std::vector<Slot> slots_ = std::vector<Slot>(1);  // slot 0 unused: 0 is no id
  std::vector<Id> free_;
  boost::unordered_flat_map<RouteAttributes, Id, Hash> ids_;
  Id last_ = 0;  // the set acquired last: a burst mostly repeats it (no hash, no probe)
};

}  // namespace petrel::fib
