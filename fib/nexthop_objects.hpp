// fib/nexthop_objects.hpp — which kernel nexthop objects (`ip nexthop`, RTM_NEWNEXTHOP)
// Petrel's routes share, and when one is no longer used.
//
// With nexthop objects a route carries RTA_NH_ID instead of its gateways, and the
// kernel validates a gateway once per object instead of once per route, which makes
// bulk installs faster (bench/README.md). One object per distinct next hop
// (gateway, interface), one group object per distinct ECMP set (members with
// weights). Objects are reference-counted by the routes (and groups) using them;
// unused ones are collected for deletion. After a restart the objects of Petrel's
// protocol found in a dump are adopted. Pure bookkeeping: the netlink sink
// (netlink_routes.hpp) sends the messages. Single-threaded: the writer thread.
#pragma once

#include <map>
#include <vector>

#include "fib/route.hpp"

namespace petrel::fib {

struct NexthopObject {
  uint32_t id = 0;
  IpAddress gateway;  // a single next hop: gateway (unspecified: direct) and interface
  uint32_t ifindex = 0;
  std::vector<std::pair<uint32_t, uint16_t>> group;  // a group: (member id, weight 1..256)
  bool is_group() const { return !group.empty(); }
  friend bool operator==(const NexthopObject&, const NexthopObject&) = default;
};

class NexthopObjects {
 public:
  explicit NexthopObjects(uint32_t first_id = 0x50000000) : next_id_(first_id) {}

  // The object for a route's (normalized, non-empty) next hops, counted as one more
  // user; objects that must be created first (members before their group) are
  // appended to `created`.
  uint32_t acquire(const Route::NextHops& nexthops, std::vector<NexthopObject>& created);
  // A route of ours that uses `id` was found in a dump: count it.
  void retain(uint32_t id);
  // A route stopped using `id`.
  void release(uint32_t id);
  // The kernel refused or lost `id`: forget it (a later acquire makes a new one).
  void forget(uint32_t id);
  // Objects nobody uses any more, groups before their members; they are forgotten.
  std::vector<uint32_t> collect_unused();

  // Restart: start over from the kernel's objects of Petrel's protocol.
  void clear();
  void adopt(const NexthopObject& object);
  // After every adopt(): each group counts as a user of its members.
  void adopt_done();

  bool owns(uint32_t id) const { return objects_.contains(id); }
  std::size_t size() const { return objects_.size(); }

 private:
  struct Entry {
    NexthopObject object;
    uint32_t users = 0;
  };
  using SingleKey = std::pair<IpAddress, uint32_t>;
  using GroupKey = std::vector<std::pair<uint32_t, uint16_t>>;

  uint32_t single(const NextHop& nh, std::vector<NexthopObject>& created);
  uint32_t allocate_id();

  uint32_t next_id_;
  std::map<uint32_t, Entry> objects_;
  std::map<SingleKey, uint32_t> singles_;
  std::map<GroupKey, uint32_t> groups_;
};

}  // namespace petrel::fib
