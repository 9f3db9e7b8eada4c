// bgp/wire/nlri.hpp — NLRI: prefixes as they sit on the wire (RFC 4271 §4.3,
// RFC 4760 §5), with the path identifier of ADD-PATH (RFC 7911 §3) when negotiated.
//
// validate_nlri() checks a whole NLRI field once (each length within the family's
// maximum, no prefix running past the end) and returns an NlriView: a view over
// the caller's bytes that iterates without checks and without allocating. Host
// bits past a prefix's length are ignored and cleared, as RFC 4271 §4.3 allows.
// Pure, links only core/.
#pragma once

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
