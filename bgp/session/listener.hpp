// bgp/session/listener.hpp — accepts BGP connections and hands each to its peer.
//
// Listener owns the accepting sockets (IPv4 and IPv6, port 179 or another) and
// sets their TCP-MD5 keys: one per configured peer, one per dynamic range (RFC
// 2385 keys must be on the listening socket before the SYN arrives). PeerTable
// decides who a connection belongs to: a configured peer by address, or a
// dynamic neighbour from a prefix range, created on first contact, up to the
// range's session limit. Anything else is closed at once.
// Runs on one executor; not thread-safe.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bgp/session/session.hpp"
#include "bgp/session/tcp_transport.hpp"
#include "core/ip.hpp"
#include "core/result.hpp"

namespace petrel::bgp::session {

enum class OfferResult { accepted, unknown_peer, range_full };

class PeerTable {
 public:
  // Creates the Session of a dynamic neighbour at `address`; null to refuse it.
  using Factory = std::function<Session*(const IpAddress& address)>;

  // `options` (GTSM, TTL, DSCP) are applied to each accepted connection of the
  // peer, as the connector applies them to outgoing ones.
  void add_peer(const IpAddress& address, Session* session, std::optional<TcpPeerOptions> options = std::nullopt);
  void remove_peer(const IpAddress& address);
  void add_range(const Prefix& range, std::size_t limit, Factory factory);
  // The range goes: no new neighbours from it. Its live dynamic neighbours stay
  // until their owner removes them (release_dynamic still works for them).
  void remove_range(const Prefix& range);
  // A dynamic neighbour went away: its place in the range is free again.
  void release_dynamic(const IpAddress& address);

  // Hands `t` to the peer `remote` belongs to.
  OfferResult offer(const IpAddress& remote, std::unique_ptr<Transport> t);
  // The socket options of a configured peer, if it has any.
  const TcpPeerOptions* options_for(const IpAddress& remote) const;
  std::size_t dynamic_count(const Prefix& range) const;

 private:
  struct Range {
    Prefix prefix;
    std::size_t limit = 0;
    Factory factory;
    std::size_t count = 0;
  };
  std::map<IpAddress, Session*> peers_;
  std::map<IpAddress, TcpPeerOptions> options_;
  std::map<IpAddress, Range*> dynamic_;  // which range each dynamic peer counts in
  std::vector<std::unique_ptr<Range>> ranges_;
  std::vector<std::unique_ptr<Range>> retired_;  // removed ranges that still count live neighbours
};

class Listener {
 public:
  Listener(boost::asio::any_io_executor executor, PeerTable& peers);
  ~Listener();

  // Opens, binds and listens; an IPv6 wildcard is IPv6-only so 0.0.0.0 and ::
  // can share a port.
  Result<void, Error> listen(const boost::asio::ip::tcp::endpoint& endpoint);
  // RFC 2385 keys on every accepting socket, now and later.
  Result<void, Error> set_md5(const IpAddress& peer, const std::string& key);
  Result<void, Error> set_md5(const Prefix& peers, const std::string& key);
  std::vector<boost::asio::ip::tcp::endpoint> endpoints() const;
  // Connections closed because nobody wanted them, for metrics and tests.
  uint64_t refused() const { return refused_; }

 private:
  struct Acceptor;
  void accept(Acceptor& a);
  Result<void, Error> apply_keys(int fd, bool v6) const;

  boost::asio::any_io_executor executor_;
  PeerTable& peers_;
  std::vector<std::unique_ptr<Acceptor>> acceptors_;
  std::map<IpAddress, std::string> peer_keys_;
  std::map<Prefix, std::string> range_keys_;
  uint64_t refused_ = 0;
};

}  // namespace petrel::bgp::session
