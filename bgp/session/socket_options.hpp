// bgp/session/socket_options.hpp — the kernel socket options a BGP session needs.
//
// Thin, stateless wrappers over setsockopt(2) on a native Linux socket fd (an Asio
// socket's native_handle()): TCP-MD5 signatures (RFC 2385), GTSM (RFC 5082),
// multihop TTL, DSCP CS6, binding to an interface for IPv6 link-local peers, and
// the usual listener/stream flags. They know nothing of the FSM, of Asio's I/O or
// of configuration; the session and the listener decide what to set and when.
//
// When: options that shape the first segment (MD5 keys, TTL, GTSM, DSCP, device)
// must be set before connect() or listen(); an accepted socket inherits the
// listener's. Any thread may call them; they only touch the fd they are given.
// The fd stays owned by the caller.
//
// Families: `AddressFamily` always names the family of the *peer's* address, which
// is what decides the option level. An AF_INET6 socket talking to an IPv4 peer
// (v4-mapped, ::ffff:a.b.c.d) sends IPv4 packets, so IPv4 options apply to it;
// a dual-stack listener sets both families. IPv6 options on an AF_INET socket fail.
//
// Errors: never throw. Each returns Result<void, Error> whose message names the
// option, what it was set for, the fd and the errno text, e.g.
// "TCP_MD5SIG for peer 10.0.0.1 on fd 7: Bad file descriptor".
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/ip.hpp"
#include "core/result.hpp"

namespace petrel::bgp::session {

// RFC 2385 keys longer than this are refused by Linux (TCP_MD5SIG_MAXKEYLEN).
inline constexpr std::size_t kTcpMd5MaxKeyLength = 80;

// DSCP CS6 (RFC 4594 §3.2, network control; RFC 2474 class selector 6) in the
// TOS / traffic-class byte: 48 << 2.
inline constexpr int kDscpCs6Tos = 0xc0;

// RFC 2385 §2: sign every segment to and from `peer` with `key` (TCP_MD5SIG).
// On a listener it applies to connections from `peer`; on a client socket to the
// connection it will open. An empty key removes the peer's key; removing a key
// that is not there succeeds. An IPv4 peer on an AF_INET6 socket is keyed as its
// v4-mapped address; an IPv6 peer on an AF_INET socket is an error.
Result<void, Error> set_tcp_md5(int fd, const IpAddress& peer, std::string_view key);

// As set_tcp_md5, but for every peer inside `peers` (TCP_MD5SIG_EXT with
// TCP_MD5SIG_FLAG_PREFIX): dynamic neighbour ranges on a listening socket. The
// most specific key wins. Removing needs the same prefix.
Result<void, Error> set_tcp_md5_prefix(int fd, const Prefix& peers, std::string_view key);

// RFC 5082 §3 (GTSM): send with TTL / hop limit 255 and accept only segments that
// arrive with at least 256 - `hops` (IP_MINTTL / IPV6_MINHOPCOUNT), i.e. from at
// most `hops` hops away; 1 means directly connected. `hops` must be 1..255.
// Segments below the minimum are dropped by the kernel (TcpExtTCPMinTTLDrop).
Result<void, Error> set_ttl_security(int fd, AddressFamily peer_family, int hops);

// Outgoing TTL / hop limit (IP_TTL / IPV6_UNICAST_HOPS), e.g. 1 for a directly
// connected eBGP peer or more for eBGP multihop. `ttl` must be 1..255.
Result<void, Error> set_ttl(int fd, AddressFamily peer_family, int ttl);

// Marks the session's packets DSCP CS6 (IP_TOS / IPV6_TCLASS = 0xc0), the class
// routers give their control traffic.
Result<void, Error> set_dscp_cs6(int fd, AddressFamily peer_family);

// SO_BINDTODEVICE: the socket only sends and receives through `ifname` (looked
// up in the socket's network namespace). Needed for IPv6 link-local peers
// (RFC 4007 §6: a link-local address means nothing without its link) and for
// unnumbered sessions. An empty name removes the binding. Needs CAP_NET_RAW.
Result<void, Error> bind_to_device(int fd, std::string_view ifname);

// The endpoint of an IPv6 link-local peer on interface `ifname`: `address` with
// the interface's index as scope id (if_nametoindex, which looks the name up in
// the *calling thread's* network namespace). Errors if `address` is not IPv6
// link-local (fe80::/10) or the interface does not exist.
Result<boost::asio::ip::tcp::endpoint, Error> link_local_endpoint(const IpAddress& address,
                                                                  std::string_view ifname,
                                                                  uint16_t port);

// SO_REUSEADDR: a listener can bind port 179 again while old connections linger
// in TIME_WAIT.
Result<void, Error> set_reuse_address(int fd);

// TCP_NODELAY: send small BGP messages (KEEPALIVE, short UPDATEs) at once.
Result<void, Error> set_no_delay(int fd);

// IPV6_V6ONLY: with `v6_only`, an AF_INET6 listener on :: leaves IPv4 to its own
// listener on 0.0.0.0 (both can then bind port 179); without, it is dual-stack.
Result<void, Error> set_v6_only(int fd, bool v6_only);

}  // namespace petrel::bgp::session
