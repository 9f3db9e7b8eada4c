// bgp/wire/nlri.hpp — NLRI: prefixes as they sit on the wire (RFC 4271 §4.3,
// RFC 4760 §5), with the path identifier of ADD-PATH (RFC 7911 §3) when negotiated.
//
// validate_nlri() checks a whole NLRI field once (each length within the family's
// maximum, no prefix running past the end) and returns an NlriView: a view over
// the caller's bytes that iterates without checks and without allocating. Host
// bits past a prefix's length are ignored and cleared, as RFC 4271 §4.3 allows.
// Pure, links only core/.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>
#include <vector>

#include "bgp/wire/types.hpp"
#include "bgp/wire/wire_error.hpp"
#include "core/bytes.hpp"
#include "core/ip.hpp"
#include "core/result.hpp"

namespace petrel::bgp::wire {

struct NlriEntry {
  uint32_t path_id = 0;  // 0 when ADD-PATH is not in use
  Prefix prefix;
  friend bool operator==(const NlriEntry&, const NlriEntry&) = default;
};

class NlriView {
 public:
  class iterator {
   public:
    using value_type = NlriEntry;
    using difference_type = std::ptrdiff_t;
    using iterator_category = std::input_iterator_tag;

    iterator() = default;
    iterator(const uint8_t* p, bool v6, bool add_path) : p_(p), v6_(v6), add_path_(add_path) {}
    NlriEntry operator*() const;
    iterator& operator++();
    iterator operator++(int) {
      auto old = *this;
      ++*this;
      return old;
    }
    friend bool operator==(const iterator& a, const iterator& b) { return a.p_ == b.p_; }

   private:
    const uint8_t* p_ = nullptr;
    bool v6_ = false;
    bool add_path_ = false;
  };

  NlriView() = default;
  NlriView(std::span<const uint8_t> bytes, Family family, bool add_path, std::size_t count)
      : bytes_(bytes), family_(family), add_path_(add_path), count_(count) {}

  Family family() const { return family_; }
  bool add_path() const { return add_path_; }
  std::size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  std::span<const uint8_t> bytes() const { return bytes_; }
  iterator begin() const { return {bytes_.data(), family_ == Family::ipv6_unicast, add_path_}; }
  iterator end() const { return {bytes_.data() + bytes_.size(), family_ == Family::ipv6_unicast, add_path_}; }

 private:
  std::span<const uint8_t> bytes_;
  Family family_ = Family::ipv4_unicast;
  bool add_path_ = false;
  std::size_t count_ = 0;
};

// The iterator is inline: it runs once per prefix, where a call and a trip of
// the address through memory would cost more than the decoding (bench/README.md).
// It trusts validate_nlri(): every length is within the family's maximum and
// every prefix lies inside the field; it reads only the prefix's own octets.
inline NlriEntry NlriView::iterator::operator*() const {
  const uint8_t* p = p_;
  uint32_t path_id = 0;
  if (add_path_) {
    path_id = (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
    p += 4;
  }
  const uint8_t len = *p++;
  const unsigned octets = (len + 7u) / 8;
  if (!v6_) {
    // Only the prefix's own octets are on the wire: gather them into one word.
    uint32_t value = 0;
    for (unsigned i = 0; i < std::min(octets, 4u); ++i) value |= uint32_t{p[i]} << (24 - 8 * i);
    return {path_id, Prefix::make(IpAddress::v4(value), len)};
  }
  // The same, in two 64-bit words.
  uint64_t high = 0, low = 0;
  for (unsigned i = 0; i < std::min(octets, 8u); ++i) high |= uint64_t{p[i]} << (56 - 8 * i);
  for (unsigned i = 8; i < std::min(octets, 16u); ++i) low |= uint64_t{p[i]} << (120 - 8 * i);
  return {path_id, Prefix::make(IpAddress::v6_words(high, low), len)};
}

inline NlriView::iterator& NlriView::iterator::operator++() {
  const uint8_t* p = p_ + (add_path_ ? 4 : 0);
  p_ = p + 1 + (*p + 7u) / 8;
  return *this;
}

// Checks `bytes` as an NLRI field of `family`. `offset` is where the field starts
// in the message; a bad field yields UPDATE Message Error / `subcode` with the
// offset and length of the bad prefix, and `action`.
Result<NlriView, WireError> validate_nlri(std::span<const uint8_t> bytes, Family family, bool add_path,
                                          uint32_t offset, uint8_t subcode, ErrorAction action);

// Bytes that `entry` takes on the wire.
inline std::size_t nlri_size(const NlriEntry& entry, bool add_path) {
  return (add_path ? 4 : 0) + 1 + (entry.prefix.length() + 7u) / 8;
}
void encode_nlri(const NlriEntry& entry, bool add_path, ByteWriter& w);

std::vector<NlriEntry> to_vector(const NlriView& view);

}  // namespace petrel::bgp::wire
