// tests/fuzz/nlri_fuzz.cpp — validate_nlri(), the NlriView iterator and encode_nlri().
//
// Input: an NLRI field, checked as each of IPv4 and IPv6 unicast, with and without
// ADD-PATH. A field that validates must iterate exactly its count of canonical
// prefixes and encode back to the same bytes except for host bits past each prefix
// length, which are cleared (RFC 4271 §4.3). A field that does not must come back
// as the error asked for, pointing at the bad prefix through the end of the field.
#include "bgp/wire/nlri.hpp"

#include "tests/fuzz/fuzz_checks.hpp"
#include "tests/fuzz/fuzz_entry.hpp"

using namespace petrel::bgp::wire;

namespace {

constexpr uint32_t kOffset = 23;  // where the field would start in an UPDATE

void check(std::span<const uint8_t> field, Family family, bool add_path) {
  using petrel::fuzz::hex;
  auto r = validate_nlri(field, family, add_path, kOffset, err::invalid_network_field, ErrorAction::session_reset);
  if (!r) {
    const WireError& e = r.error();
    PETREL_FUZZ_CHECK(e.code == err::update && e.subcode == err::invalid_network_field &&
                          e.action == ErrorAction::session_reset,
                      to_string(e));
    PETREL_FUZZ_CHECK(e.offset >= kOffset && e.offset - kOffset < field.size() &&
                          e.offset - kOffset + e.length == field.size(),
                      to_string(e) + " for a field of " + std::to_string(field.size()) + " bytes");
    return;
  }
  const NlriView& view = *r;
  PETREL_FUZZ_CHECK(view.family() == family && view.add_path() == add_path && view.bytes().size() == field.size());
  const unsigned max_len = family == Family::ipv6_unicast ? 128 : 32;

  std::vector<uint8_t> encoded;
  petrel::ByteWriter w(encoded);
  std::size_t count = 0;
  std::size_t pos = 0;  // the entry's first byte in `field`
  for (auto it = view.begin(); it != view.end(); it++) {
    const NlriEntry e = *it;
    PETREL_FUZZ_CHECK(++count <= view.size(), "the view iterates past its count");
    PETREL_FUZZ_CHECK(e.prefix.is_v4() == (family == Family::ipv4_unicast) && e.prefix.length() <= max_len);
    PETREL_FUZZ_CHECK(petrel::is_canonical(e.prefix.address(), e.prefix.length()));
    PETREL_FUZZ_CHECK(add_path || e.path_id == 0);
    const std::size_t start = encoded.size();
    encode_nlri(e, add_path, w);
    const std::size_t n = encoded.size() - start;
    PETREL_FUZZ_CHECK(n == nlri_size(e, add_path) && pos + n <= field.size());
    // Byte for byte the same, but for the host bits of the last address octet.
    const std::size_t head = add_path ? 5 : 1;
    const unsigned tail_bits = e.prefix.length() % 8;
    for (std::size_t i = 0; i < n; ++i) {
      uint8_t mask = 0xff;
      if (i == n - 1 && i >= head && tail_bits != 0) mask = static_cast<uint8_t>(0xff00u >> tail_bits);
      PETREL_FUZZ_CHECK((field[pos + i] & mask) == encoded[start + i],
                        "entry at " + std::to_string(pos) + " re-encodes as " +
                            hex(std::span<const uint8_t>(encoded).subspan(start)));
      PETREL_FUZZ_CHECK((encoded[start + i] & ~mask & 0xff) == 0);
    }
    pos += n;
  }
  PETREL_FUZZ_CHECK(count == view.size() && pos == field.size());
  PETREL_FUZZ_CHECK(to_vector(view).size() == count);

  auto again = validate_nlri(encoded, family, add_path, kOffset, err::invalid_network_field, ErrorAction::session_reset);
  PETREL_FUZZ_CHECK(again.has_value() && to_vector(*again) == to_vector(view), "re-encoded field " + hex(encoded));
}

}  // namespace

PETREL_FUZZ_TARGET(data, size) {
  const std::span<const uint8_t> field(data, size);
  for (Family family : {Family::ipv4_unicast, Family::ipv6_unicast})
    for (bool add_path : {false, true}) check(field, family, add_path);
  return 0;
}
