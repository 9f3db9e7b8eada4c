// fib/netlink_codec.hpp — rtnetlink messages for routes, links and addresses:
// encoding Petrel's route operations many to a buffer, decoding the kernel's
// replies, dumps and notifications into plain values.
//
// Encoding writes RTM_NEWROUTE / RTM_DELROUTE messages back to back into one
// buffer so that the writer sends thousands per sendmsg (rtnetlink processes a
// buffer's messages in order, replying to each that fails and to each with
// NLM_F_ACK). Decoding uses libnl's attribute parser (nlmsg_parse, nla_*) and
// checks every length: a short or odd message gives an Error, never a crash.
// Pure apart from libnl's parsing helpers; no sockets here (netlink_routes.hpp).
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "fib/nexthop_objects.hpp"
#include "fib/nexthop_tracker.hpp"
#include "fib/reconcile.hpp"

namespace petrel::fib {

// Where Petrel's routes live in the kernel and how they are marked.
struct KernelTarget {
  uint32_t table = 254;   // RT_TABLE_MAIN; any number (> 255 goes in RTA_TABLE)
  uint8_t protocol = 201; // see fib/README.md for why 201
  // Routes with gateways refer to shared kernel nexthop objects (RTA_NH_ID) that the
  // netlink sink creates and deletes; faster bulk installs (bench/README.md). The
  // default; where the kernel refuses them the sink falls back to plain routes
  // (fib/nexthop_support.hpp).
  bool nexthop_objects = true;
};

class RouteMessageBuffer {
 public:
  // Appends one message for `op`. `ack` sets NLM_F_ACK (the writer asks for it on the
  // last message of each batch only: errors are reported whatever the flag). A
  // non-zero `nexthop_id` is sent as RTA_NH_ID in place of the route's own.
  void add(const Operation& op, const KernelTarget& target, uint32_t seq, bool ack, uint32_t nexthop_id = 0);
  // RTM_NEWNEXTHOP (NLM_F_CREATE | NLM_F_EXCL) for `object`, marked with `protocol`;
  // RTM_DELNEXTHOP of `id`.
  void add_nexthop(const NexthopObject& object, uint8_t protocol, uint32_t seq, bool ack);
  void add_nexthop_delete(uint32_t id, uint32_t seq, bool ack);
  // Sets NLM_F_ACK on the last message added (the end of a window).
  void request_ack_on_last();
  void clear() { bytes_.clear(); count_ = 0; last_ = 0; }
  const uint8_t* data() const { return bytes_.data(); }
  std::size_t size() const { return bytes_.size(); }
  std::size_t count() const { return count_; }

 private:
  std::size_t put_attr(uint16_t type, const void* data, std::size_t length);
  std::size_t begin_nest(uint16_t type);
  void end_nest(std::size_t start);
  void align();

  std::vector<uint8_t> bytes_;
  std::size_t count_ = 0;
  std::size_t last_ = 0;  // offset of the last message's header
};

struct LinkInfo {
  uint32_t ifindex = 0;
  bool up = false;  // IFF_UP and IFF_RUNNING
  std::string name;
};

struct AddressInfo {
  uint32_t ifindex = 0;
  Prefix on_link;  // the connected prefix (address masked to its length)
};

// RTM_NEWROUTE / RTM_DELROUTE. Multipath routes (RTA_MULTIPATH) give one NextHop per
// member with weight rtnh_hops + 1.
Result<KernelRoute, Error> decode_route(const nlmsghdr* message);
// RTM_NEWNEXTHOP (a dump entry): the object and its protocol.
Result<std::pair<NexthopObject, uint8_t>, Error> decode_nexthop(const nlmsghdr* message);
// RTM_NEWLINK / RTM_DELLINK.
Result<LinkInfo, Error> decode_link(const nlmsghdr* message);
// RTM_NEWADDR / RTM_DELADDR.
Result<AddressInfo, Error> decode_address(const nlmsghdr* message);

}  // namespace petrel::fib
