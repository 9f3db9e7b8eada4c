// fib/netlink_routes.hpp — the kernel RouteSink: Petrel's route operations sent
// through a libnl-3 NETLINK_ROUTE socket, many messages per sendmsg.
//
// apply() cuts the operations into windows of at most `window` messages, encodes a
// window back to back (RouteMessageBuffer), sends it, and reads the replies: the
// kernel reports every failing message by its sequence number (matched back to the
// operation) and acknowledges the window's last message, which asks for NLM_F_ACK,
// so one acknowledgement per window, never one wait per route. dump_own() dumps
// IPv4 and IPv6 routes and keeps those of Petrel's protocol and table.
// With KernelTarget::nexthop_objects (the default) routes with gateways refer to
// shared nexthop objects (nexthop_objects.hpp), reference-counted per kernel key;
// where the kernel refuses one, the routes go in plain (nexthop_support.hpp decides,
// this logs each reason once and counts, counters()).
// Used by the FibWriter only, one call at a time (one socket, no locking).
#pragma once

#include <functional>
#include <memory>

#include "fib/netlink_codec.hpp"
#include "fib/nexthop_support.hpp"
#include "fib/route_sink.hpp"

struct nl_sock;

namespace petrel::fib {

// Sends `request` (one message) on a fresh libnl socket and calls `on_message` for
// every reply until NLMSG_DONE; an NLMSG_ERROR reply gives an Error.
class NetlinkSocket {
 public:
  static Result<NetlinkSocket, Error> open(int receive_buffer_bytes = 8 << 20);
  NetlinkSocket(NetlinkSocket&&) noexcept;
  NetlinkSocket& operator=(NetlinkSocket&&) noexcept;
  ~NetlinkSocket();

  nl_sock* get() const { return sock_; }
  int fd() const;
  // Sends raw bytes (whole netlink messages) in one sendmsg.
  Result<void, Error> send(const uint8_t* data, std::size_t size);
  // Receives one datagram (possibly many messages) into `buffer`; 0 bytes when
  // nothing is pending on a non-blocking socket.
  Result<std::size_t, Error> receive(std::vector<uint8_t>& buffer);
  // A dump request of `type` (RTM_GETROUTE, RTM_GETLINK, RTM_GETADDR) for `family`;
  // every reply message is passed to on_message.
  // An NLMSG_ERROR reply also sets *kernel_error (when given) to its errno.
  Result<void, Error> dump(uint16_t type, uint8_t family, const std::function<void(const nlmsghdr*)>& on_message,
                           int* kernel_error = nullptr);
  uint32_t next_seq() { return ++seq_; }

 private:
  explicit NetlinkSocket(nl_sock* sock) : sock_(sock) {}
  nl_sock* sock_ = nullptr;
  uint32_t seq_ = 0;
};

class NetlinkRouteSink final : public RouteSink {
 public:
  static Result<std::unique_ptr<NetlinkRouteSink>, Error> open(KernelTarget target, std::size_t window = 4096);

  void apply(std::span<const Operation> ops, std::span<int> errors) override;
  Result<std::vector<Route>, Error> dump_own() override;
  SinkCounters counters() const override;
  // False once the kernel showed it has no nexthop API (or objects were not wanted).
  bool using_nexthop_objects() const { return support_.use_objects(); }

 private:
  NetlinkRouteSink(NetlinkSocket socket, KernelTarget target, std::size_t window)
      : socket_(std::move(socket)), target_(target), window_(window), support_(target.nexthop_objects) {}
  using Encoder = std::function<void(std::size_t index, uint32_t seq)>;
  // Sends `count` messages (encode(i, seq) appends message i) in windows; errors[i]
  // gets 0 or the errno the kernel replied to message i.
  void send_all(std::size_t count, const Encoder& encode, std::span<int> errors);
  std::size_t send_window(std::size_t start, std::size_t count, const Encoder& encode, std::span<int> errors);
  void collect_unused_objects();
  uint32_t lookup_interface(const IpAddress& gateway);

  NetlinkSocket socket_;
  KernelTarget target_;
  std::size_t window_;
  RouteMessageBuffer buffer_;
  std::vector<uint8_t> receive_buffer_;
  NexthopSupport support_;  // objects wanted, and whether the kernel takes them
  NexthopObjects objects_;  // used only while support_.use_objects()
  std::vector<uint32_t> used_objects_;  // apply(): the object each operation refers to
  // The object each of our kernel routes uses, by kernel key (prefix, metric): a
  // metric change installs the new key before it removes the old one, and each must
  // release its own object.
  struct KernelKey {
    Prefix prefix;
    uint32_t metric = 0;
  };
  struct KernelKeyHash {
    using is_avalanching = void;
    std::size_t operator()(const KernelKey& k) const { return PrefixHash{}(k.prefix) ^ (k.metric * 0x9e3779b97f4a7c15ull); }
  };
  struct KernelKeyEqual {
    bool operator()(const KernelKey& a, const KernelKey& b) const {
      return a.metric == b.metric && PrefixEqual{}(a.prefix, b.prefix);
    }
  };
  boost::unordered_flat_map<KernelKey, uint32_t, KernelKeyHash, KernelKeyEqual> route_objects_;
};

}  // namespace petrel::fib
