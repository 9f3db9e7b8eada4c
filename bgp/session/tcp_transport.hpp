// bgp/session/tcp_transport.hpp — the production Transport and Connector over
// Asio TCP sockets. The connector applies the peer's socket options before the
// first segment leaves (TCP-MD5, GTSM or multihop TTL, DSCP CS6, the interface
// for link-local peers, the source address and port). Errors are error_codes;
// an option that cannot be set fails the connect with a message.
// Runs on the session's executor.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <optional>
#include <string>

#include "bgp/session/transport.hpp"
#include "core/ip.hpp"
#include "core/result.hpp"

namespace petrel::bgp::session {

class TcpTransport final : public Transport {
 public:
  explicit TcpTransport(boost::asio::ip::tcp::socket socket);
  void async_read_some(std::span<uint8_t> into, IoHandler handler) override;
  void async_write(std::span<const uint8_t> bytes, IoHandler handler) override;
  void close() override;
  std::string local_endpoint() const override { return local_; }
  std::string remote_endpoint() const override { return remote_; }
  boost::asio::ip::tcp::socket& socket() { return socket_; }

 private:
  boost::asio::ip::tcp::socket socket_;
  std::string local_;
  std::string remote_;
};

// How to reach one peer, and the socket options its connections carry.
struct TcpPeerOptions {
  IpAddress address;
  uint16_t port = 179;
  std::optional<IpAddress> local_address;
  uint16_t local_port = 0;                 // 0: any
  std::string interface;                   // for IPv6 link-local peers
  std::string md5_key;                     // empty: none (RFC 2385)
  std::optional<int> ttl_security_hops;    // GTSM (RFC 5082)
  std::optional<int> ttl;                  // multihop TTL; unset: the kernel's default
  bool dscp_cs6 = true;
};

// Applies `o`'s options to a socket about to connect to, or accept from, the peer.
Result<void, Error> apply_peer_options(int fd, const TcpPeerOptions& o);

class TcpConnector final : public Connector {
 public:
  TcpConnector(boost::asio::any_io_executor executor, TcpPeerOptions options);
  void async_connect(ConnectHandler handler) override;
  void cancel() override;

 private:
  boost::asio::any_io_executor executor_;
  TcpPeerOptions options_;
  std::shared_ptr<boost::asio::ip::tcp::socket> pending_;
};

// "address:port", with brackets for IPv6.
std::string to_string(const boost::asio::ip::tcp::endpoint& e);
IpAddress to_ip(const boost::asio::ip::address& a);
boost::asio::ip::address to_asio(const IpAddress& a);

}  // namespace petrel::bgp::session
