#include "bgp/wire/nlri.hpp"

namespace petrel::bgp::wire {

Result<NlriView, WireError> validate_nlri(std::span<const uint8_t> bytes, Family family, bool add_path,
                                          uint32_t offset, uint8_t subcode, ErrorAction action) {
  const unsigned max_len = family == Family::ipv6_unicast ? 128 : 32;
  std::size_t pos = 0;
  std::size_t count = 0;
  const std::size_t n = bytes.size();
  while (pos < n) {
    const std::size_t start = pos;
    auto fail = [&](std::string why) {
      return WireError{err::update, subcode, static_cast<uint32_t>(offset + start),
                       static_cast<uint32_t>(n - start), action, {},
                       std::string(to_string(family)) + " NLRI: " + std::move(why)};
    };
    if (add_path) {
      if (n - pos < 4) return fail("truncated path identifier");
      pos += 4;
    }
    if (pos >= n) return fail("missing prefix length");
    const unsigned len = bytes[pos++];
    // RFC 7606 §5.3: a length beyond the family's maximum, or a prefix that runs
    // past the field, makes the whole field malformed.
    if (len > max_len) return fail("prefix length " + std::to_string(len) + " exceeds " + std::to_string(max_len));
    const std::size_t octets = (len + 7) / 8;
    if (n - pos < octets) return fail("prefix runs past the end of the field");
    pos += octets;
    ++count;
  }
  return NlriView(bytes, family, add_path, count);
}

void encode_nlri(const NlriEntry& e, bool add_path, ByteWriter& w) {
  if (add_path) w.u32(e.path_id);
  w.u8(e.prefix.length());
  w.bytes(e.prefix.address().data(), (e.prefix.length() + 7u) / 8);
}

std::vector<NlriEntry> to_vector(const NlriView& view) {
  std::vector<NlriEntry> out;
  out.reserve(view.size());
  for (auto e : view) out.push_back(e);
  return out;
}

}  // namespace petrel::bgp::wire
