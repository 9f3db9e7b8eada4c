// core/ip.hpp — IPv4/IPv6 addresses and prefixes.
//
// Value types shared by every module: parse from text, format to text, compare,
// hash, containment and canonical-form checks. An IpAddress holds either family in
// 16 bytes of network-order storage (IPv4 uses the first four). A Prefix is an
// address plus a length; "canonical" means every bit past the length is zero.
// Parsing never throws: it returns std::nullopt on bad text. Pure, no I/O.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
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
  // From the address's two halves as big-endian numbers (`high`: bytes 0..7).
  static IpAddress v6_words(uint64_t high, uint64_t low);
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
  friend class Prefix;

  // Invariant: an IPv4 address keeps bytes 4..15 zero, so that == and hashing
  // may look at all 16 bytes.
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

// Construction is inline and Prefix::make() works on whole big-endian words:
// NLRI decoding builds one prefix per route, and an address written byte by
// byte then read back in wider loads stalls store forwarding (bench/README.md).
namespace ip_detail {
inline uint64_t load_be64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap64(v);
  return v;
}
inline void store_be64(uint8_t* p, uint64_t v) {
  if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap64(v);
  std::memcpy(p, &v, 8);
}
// A mask of the first `length` bits of a 64-bit word (length clamped to 64).
inline uint64_t high_bits64(unsigned length) {
  return length == 0 ? 0 : ~uint64_t{0} << (64 - std::min(length, 64u));
}
}  // namespace ip_detail

inline IpAddress IpAddress::v4(uint32_t host_order) {
  IpAddress a;
  a.family_ = AddressFamily::ipv4;
  a.bytes_[0] = static_cast<uint8_t>(host_order >> 24);
  a.bytes_[1] = static_cast<uint8_t>(host_order >> 16);
  a.bytes_[2] = static_cast<uint8_t>(host_order >> 8);
  a.bytes_[3] = static_cast<uint8_t>(host_order);
  return a;
}

inline IpAddress IpAddress::v4_bytes(const uint8_t* four_bytes) {
  IpAddress a;
  a.family_ = AddressFamily::ipv4;
  std::memcpy(a.bytes_.data(), four_bytes, 4);
  return a;
}

inline IpAddress IpAddress::v6(const std::array<uint8_t, 16>& bytes) {
  IpAddress a;
  a.family_ = AddressFamily::ipv6;
  a.bytes_ = bytes;
  return a;
}

inline IpAddress IpAddress::v6_bytes(const uint8_t* sixteen_bytes) {
  IpAddress a;
  a.family_ = AddressFamily::ipv6;
  std::memcpy(a.bytes_.data(), sixteen_bytes, 16);
  return a;
}

inline IpAddress IpAddress::v6_words(uint64_t high, uint64_t low) {
  IpAddress a;
  a.family_ = AddressFamily::ipv6;
  ip_detail::store_be64(a.bytes_.data(), high);
  ip_detail::store_be64(a.bytes_.data() + 8, low);
  return a;
}

inline uint32_t IpAddress::v4_value() const {
  return (uint32_t{bytes_[0]} << 24) | (uint32_t{bytes_[1]} << 16) | (uint32_t{bytes_[2]} << 8) |
         uint32_t{bytes_[3]};
}

inline Prefix Prefix::make(const IpAddress& address, uint8_t length) {
  using namespace ip_detail;
  Prefix p;
  p.length_ = std::min(length, address.max_prefix_length());
  p.address_.family_ = address.family_;
  // The address as two big-endian words (an IPv4 one in the top half of the
  // first), keeping only the first length_ bits.
  uint64_t high = address.is_v4() ? uint64_t{address.v4_value()} << 32 : load_be64(address.bytes_.data());
  uint64_t low = address.is_v4() ? 0 : load_be64(address.bytes_.data() + 8);
  high &= high_bits64(p.length_);
  low &= high_bits64(p.length_ > 64 ? p.length_ - 64u : 0u);
  store_be64(p.address_.bytes_.data(), high);
  store_be64(p.address_.bytes_.data() + 8, low);
  return p;
}

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
