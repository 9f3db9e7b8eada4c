#include "bgp/session/socket_options.hpp"

#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <system_error>

namespace petrel::bgp::session {
namespace {

// "OPTION[ for WHAT] on fd N: DETAIL" — every failure names the option first.
Error option_error(std::string_view option, std::string_view what, int fd, std::string_view detail) {
  std::string m(option);
  if (!what.empty()) {
    m += " for ";
    m += what;
  }
  m += " on fd ";
  m += std::to_string(fd);
  m += ": ";
  m += detail;
  return Error{std::move(m)};
}

Error errno_error(std::string_view option, std::string_view what, int fd, int err) {
  return option_error(option, what, fd, std::system_category().message(err));
}

Result<void, Error> set_int(int fd, int level, int name, int value, std::string_view option,
                            std::string_view what = {}) {
  if (::setsockopt(fd, level, name, &value, sizeof value) != 0) return errno_error(option, what, fd, errno);
  return {};
}

std::string_view family_name(AddressFamily f) { return f == AddressFamily::ipv4 ? "IPv4" : "IPv6"; }

// The socket's own family (AF_INET or AF_INET6): it decides which sockaddr the
// kernel expects for TCP_MD5SIG.
Result<int, Error> socket_domain(int fd, std::string_view option, std::string_view what) {
  int domain = 0;
  socklen_t len = sizeof domain;
  if (::getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0) {
    return option_error(option, what, fd,
                        "cannot read the socket's family (SO_DOMAIN): " + std::system_category().message(errno));
  }
  if (domain != AF_INET && domain != AF_INET6) {
    return option_error(option, what, fd, "not an IPv4 or IPv6 socket (family " + std::to_string(domain) + ")");
  }
  return domain;
}

// RFC 2385 keys, single peer (no prefix_length) or a range of peers.
Result<void, Error> set_md5(int fd, const IpAddress& address, std::optional<uint8_t> prefix_length,
                            std::string_view key) {
  const bool ranged = prefix_length.has_value();
  const std::string_view option = ranged ? "TCP_MD5SIG_EXT" : "TCP_MD5SIG";
  const std::string what = ranged ? "peers " + Prefix::make(address, *prefix_length).to_string()
                                  : "peer " + address.to_string();
  if (key.size() > kTcpMd5MaxKeyLength) {
    return option_error(option, what, fd,
                        "key is " + std::to_string(key.size()) + " bytes, longer than the " +
                            std::to_string(kTcpMd5MaxKeyLength) + " Linux allows (TCP_MD5SIG_MAXKEYLEN)");
  }
  auto domain = socket_domain(fd, option, what);
  if (!domain) return domain.error();

  tcp_md5sig sig{};
  if (*domain == AF_INET) {
    if (address.is_v6()) return option_error(option, what, fd, "an IPv6 peer on an IPv4 socket");
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    std::memcpy(&sin.sin_addr, address.data(), 4);
    std::memcpy(&sig.tcpm_addr, &sin, sizeof sin);
  } else {
    sockaddr_in6 sin6{};
    sin6.sin6_family = AF_INET6;
    if (address.is_v4()) {
      // An IPv4 peer reaches an AF_INET6 socket as ::ffff:a.b.c.d; the kernel
      // files the key under the IPv4 address.
      sin6.sin6_addr.s6_addr[10] = 0xff;
      sin6.sin6_addr.s6_addr[11] = 0xff;
      std::memcpy(&sin6.sin6_addr.s6_addr[12], address.data(), 4);
    } else {
      std::memcpy(&sin6.sin6_addr, address.data(), 16);
    }
    std::memcpy(&sig.tcpm_addr, &sin6, sizeof sin6);
  }
  if (ranged) {
    sig.tcpm_flags = TCP_MD5SIG_FLAG_PREFIX;
    // For a v4-mapped address Linux counts the length in IPv4 bits (at most 32),
    // not as 96 + length: the key is stored as an IPv4 one.
    sig.tcpm_prefixlen = *prefix_length;
  }
  sig.tcpm_keylen = static_cast<uint16_t>(key.size());
  std::memcpy(sig.tcpm_key, key.data(), key.size());

  const int name = ranged ? TCP_MD5SIG_EXT : TCP_MD5SIG;
  if (::setsockopt(fd, IPPROTO_TCP, name, &sig, sizeof sig) != 0) {
    const int err = errno;
    // Removing a key that is not there leaves the socket as asked.
    if (key.empty() && err == ENOENT) return {};
    return errno_error(option, what, fd, err);
  }
  return {};
}

}  // namespace

Result<void, Error> set_tcp_md5(int fd, const IpAddress& peer, std::string_view key) {
  return set_md5(fd, peer, std::nullopt, key);
}

Result<void, Error> set_tcp_md5_prefix(int fd, const Prefix& peers, std::string_view key) {
  return set_md5(fd, peers.address(), peers.length(), key);
}

Result<void, Error> set_ttl_security(int fd, AddressFamily peer_family, int hops) {
  const bool v4 = peer_family == AddressFamily::ipv4;
  const std::string_view min_option = v4 ? "IP_MINTTL" : "IPV6_MINHOPCOUNT";
  const std::string what = std::string(family_name(peer_family)) + " GTSM, hops=" + std::to_string(hops);
  if (hops < 1 || hops > 255) return option_error(min_option, what, fd, "hops must be 1..255");
  // RFC 5082 §3: the sender always uses the maximum TTL...
  if (auto r = v4 ? set_int(fd, IPPROTO_IP, IP_TTL, 255, "IP_TTL", what)
                  : set_int(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 255, "IPV6_UNICAST_HOPS", what);
      !r) {
    return r;
  }
  // ...and the receiver drops what arrives with less than 255 - (hops - 1).
  const int minimum = 256 - hops;
  return v4 ? set_int(fd, IPPROTO_IP, IP_MINTTL, minimum, min_option, what)
            : set_int(fd, IPPROTO_IPV6, IPV6_MINHOPCOUNT, minimum, min_option, what);
}

Result<void, Error> set_ttl(int fd, AddressFamily peer_family, int ttl) {
  const bool v4 = peer_family == AddressFamily::ipv4;
  const std::string_view option = v4 ? "IP_TTL" : "IPV6_UNICAST_HOPS";
  const std::string what = std::to_string(ttl);
  if (ttl < 1 || ttl > 255) return option_error(option, what, fd, "TTL must be 1..255");
  return v4 ? set_int(fd, IPPROTO_IP, IP_TTL, ttl, option, what)
            : set_int(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, ttl, option, what);
}

Result<void, Error> set_dscp_cs6(int fd, AddressFamily peer_family) {
  return peer_family == AddressFamily::ipv4
             ? set_int(fd, IPPROTO_IP, IP_TOS, kDscpCs6Tos, "IP_TOS", "DSCP CS6")
             : set_int(fd, IPPROTO_IPV6, IPV6_TCLASS, kDscpCs6Tos, "IPV6_TCLASS", "DSCP CS6");
}

Result<void, Error> bind_to_device(int fd, std::string_view ifname) {
  const std::string what = ifname.empty() ? "no interface" : "interface " + std::string(ifname);
  if (ifname.size() >= IFNAMSIZ || ifname.find('\0') != std::string_view::npos) {
    return option_error("SO_BINDTODEVICE", what, fd,
                        "not a valid interface name (at most " + std::to_string(IFNAMSIZ - 1) + " characters)");
  }
  if (::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname.data(), static_cast<socklen_t>(ifname.size())) != 0) {
    return errno_error("SO_BINDTODEVICE", what, fd, errno);
  }
  return {};
}

Result<boost::asio::ip::tcp::endpoint, Error> link_local_endpoint(const IpAddress& address,
                                                                  std::string_view ifname,
                                                                  uint16_t port) {
  const std::string prefix = "link-local endpoint " + address.to_string() + "%" + std::string(ifname) + ": ";
  if (!address.is_v6() || !address.is_link_local()) {
    return Error{prefix + "not an IPv6 link-local address (fe80::/10)"};
  }
  if (ifname.empty() || ifname.size() >= IFNAMSIZ || ifname.find('\0') != std::string_view::npos) {
    return Error{prefix + "not a valid interface name"};
  }
  const std::string name(ifname);
  const unsigned index = ::if_nametoindex(name.c_str());
  if (index == 0) return Error{prefix + "if_nametoindex: " + std::system_category().message(errno)};
  boost::asio::ip::address_v6::bytes_type bytes;
  std::memcpy(bytes.data(), address.data(), 16);
  return boost::asio::ip::tcp::endpoint(boost::asio::ip::address_v6(bytes, index), port);
}

Result<void, Error> set_reuse_address(int fd) { return set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR"); }

Result<void, Error> set_no_delay(int fd) { return set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY"); }

Result<void, Error> set_v6_only(int fd, bool v6_only) {
  return set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, v6_only ? 1 : 0, "IPV6_V6ONLY");
}

}  // namespace petrel::bgp::session
