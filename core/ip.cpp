#include "core/ip.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace petrel {

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  // inet_pton needs a NUL-terminated string; the longest valid text form of an
  // IPv6 address is 45 characters (INET6_ADDRSTRLEN - 1).
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  char buf[INET6_ADDRSTRLEN];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  IpAddress a;
  if (text.find(':') == std::string_view::npos) {
    a.family_ = AddressFamily::ipv4;
    if (inet_pton(AF_INET, buf, a.bytes_.data()) != 1) return std::nullopt;
  } else {
    a.family_ = AddressFamily::ipv6;
    if (inet_pton(AF_INET6, buf, a.bytes_.data()) != 1) return std::nullopt;
  }
  return a;
}

bool IpAddress::is_unspecified() const {
  return std::all_of(bytes_.begin(), bytes_.begin() + byte_length(), [](uint8_t b) { return b == 0; });
}

bool IpAddress::is_multicast() const {
  return is_v4() ? (bytes_[0] & 0xf0) == 0xe0 : bytes_[0] == 0xff;
}

bool IpAddress::is_loopback() const {
  if (is_v4()) return bytes_[0] == 127;
  static constexpr std::array<uint8_t, 16> one{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  return bytes_ == one;
}

bool IpAddress::is_link_local() const {
  if (is_v4()) return bytes_[0] == 169 && bytes_[1] == 254;
  return bytes_[0] == 0xfe && (bytes_[1] & 0xc0) == 0x80;
}

std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN];
  const int af = is_v4() ? AF_INET : AF_INET6;
  if (inet_ntop(af, bytes_.data(), buf, sizeof buf) == nullptr) return "?";
  return buf;
}

std::strong_ordering operator<=>(const IpAddress& a, const IpAddress& b) {
  if (auto c = a.family_ <=> b.family_; c != 0) return c;
  const int r = std::memcmp(a.bytes_.data(), b.bytes_.data(), a.byte_length());
  return r < 0 ? std::strong_ordering::less
               : r > 0 ? std::strong_ordering::greater : std::strong_ordering::equal;
}

bool is_canonical(const IpAddress& address, uint8_t length) {
  const std::size_t n = address.byte_length();
  if (length > address.max_prefix_length()) return false;
  const uint8_t* b = address.data();
  std::size_t full = length / 8;
  if (length % 8 != 0) {
    const uint8_t mask = static_cast<uint8_t>(0xffu >> (length % 8));
    if ((b[full] & mask) != 0) return false;
    ++full;
  }
  for (std::size_t i = full; i < n; ++i)
    if (b[i] != 0) return false;
  return true;
}

std::optional<Prefix> Prefix::parse(std::string_view text, bool require_canonical) {
  const auto slash = text.find('/');
  auto address = IpAddress::parse(text.substr(0, slash));
  if (!address) return std::nullopt;
  unsigned length = address->max_prefix_length();
  if (slash != std::string_view::npos) {
    const std::string_view len_text = text.substr(slash + 1);
    if (len_text.empty() || len_text.size() > 3) return std::nullopt;
    auto [ptr, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), length);
    if (ec != std::errc{} || ptr != len_text.data() + len_text.size()) return std::nullopt;
    if (length > address->max_prefix_length()) return std::nullopt;
  }
  if (require_canonical && !is_canonical(*address, static_cast<uint8_t>(length))) return std::nullopt;
  return make(*address, static_cast<uint8_t>(length));
}

bool Prefix::contains(const IpAddress& address) const {
  if (address.family() != family()) return false;
  return make(address, length_).address_ == address_;
}

bool Prefix::contains(const Prefix& other) const {
  if (other.family() != family() || other.length_ < length_) return false;
  return make(other.address_, length_).address_ == address_;
}

std::string Prefix::to_string() const {
  return address_.to_string() + "/" + std::to_string(length_);
}

std::strong_ordering operator<=>(const Prefix& a, const Prefix& b) {
  if (auto c = a.address_ <=> b.address_; c != 0) return c;
  return a.length_ <=> b.length_;
}

std::size_t hash_value(const IpAddress& address) {
  // FNV-1a over the family and the significant bytes.
  uint64_t h = 1469598103934665603ull ^ static_cast<uint8_t>(address.family());
  h *= 1099511628211ull;
  for (std::size_t i = 0; i < address.byte_length(); ++i) {
    h ^= address.data()[i];
    h *= 1099511628211ull;
  }
  return static_cast<std::size_t>(h);
}

std::size_t hash_value(const Prefix& prefix) {
  uint64_t h = hash_value(prefix.address());
  h ^= prefix.length() + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  return static_cast<std::size_t>(h);
}

}  // namespace petrel
