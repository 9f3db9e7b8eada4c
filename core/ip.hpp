// core/ip.hpp — IPv4/IPv6 addresses and prefixes.
//
// Value types shared by every module: parse from text, format to text, compare,
// hash, containment and canonical-form checks. An IpAddress holds either family in
// 16 bytes of network-order storage (IPv4 uses the first four). A Prefix is an
// address plus a length; "canonical" means every bit past the length is zero.
// Parsing never throws: it returns std::nullopt on bad text. Pure, no I/O.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace petrel {

enum class AddressFamily : uint8_t { ipv4 = 4, ipv6 = 6 };

class IpAddress {
 public:
  IpAddress() = default;  // 0.0.0.0
  static IpAddress v4(uint32_t host_order);
  static IpAddress v4_bytes(const uint8_t* four_bytes);
  static IpAddress v6(const std::array<uint8_t, 16>& bytes);
  static IpAddress v6_bytes(const uint8_t* sixteen_bytes);
  static std::optional<IpAddress> parse(std::string_view text);

  AddressFamily family() const { return family_; }
  bool is_v4() const { return family_ == AddressFamily::ipv4; }
  bool is_v6() const { return family_ == AddressFamily::ipv6; }
  // Bits in an address of this family: 32 or 128.
  uint8_t max_prefix_length() const { return is_v4() ? 32 : 128; }
  // Bytes in an address of this family: 4 or 16.
  std::size_t byte_length() const { return is_v4() ? 4 : 16; }
  // The IPv4 address in host byte order; meaningful only when is_v4().
  uint32_t v4_value() const;
  const uint8_t* data() const { return bytes_.data(); }
  const std::array<uint8_t, 16>& bytes() const { return bytes_; }

  bool is_unspecified() const;
  bool is_multicast() const;
  bool is_loopback() const;
  bool is_link_local() const;  // 169.254/16 or fe80::/10

  std::string to_string() const;

  friend bool operator==(const IpAddress&, const IpAddress&) = default;
  friend std::strong_ordering operator<=>(const IpAddress& a, const IpAddress& b);

 private:
  AddressFamily family_ = AddressFamily::ipv4;
  std::array<uint8_t, 16> bytes_{};
};

class Prefix {
 public:
  Prefix() = default;  // 0.0.0.0/0
  // Builds a prefix; bits past `length` are cleared so the result is canonical.
  // `length` is clamped to the family's maximum.
  static Prefix make(const IpAddress& address, uint8_t length);
  // Parses "10.0.0.0/8" or "2001:db8::/32". A bare address is a host prefix.
  // With `require_canonical`, text with host bits set (10.0.0.1/8) is refused.
  static std::optional<Prefix> parse(std::string_view text, bool require_canonical = true);

  const IpAddress& address() const { return address_; }
  uint8_t length() const { return length_; }
  AddressFamily family() const { return address_.family(); }
  bool is_v4() const { return address_.is_v4(); }
  bool is_host() const { return length_ == address_.max_prefix_length(); }

  // True when `address` lies inside this prefix (same family only).
  bool contains(const IpAddress& address) const;
  // True when `other` is equal to or more specific than this prefix.
  bool contains(const Prefix& other) const;

  std::string to_string() const;

  friend bool operator==(const Prefix&, const Prefix&) = default;
  friend std::strong_ordering operator<=>(const Prefix& a, const Prefix& b);

 private:
  IpAddress address_;
  uint8_t length_ = 0;
};

// True when every bit of `address` past `length` is zero.
bool is_canonical(const IpAddress& address, uint8_t length);

std::size_t hash_value(const IpAddress& address);
std::size_t hash_value(const Prefix& prefix);

}  // namespace petrel

template <>
struct std::hash<petrel::IpAddress> {
  std::size_t operator()(const petrel::IpAddress& a) const { return petrel::hash_value(a); }
};
template <>
struct std::hash<petrel::Prefix> {
  std::size_t operator()(const petrel::Prefix& p) const { return petrel::hash_value(p); }
};
