// tests/support/wire_builder.hpp — builds hand-made BGP messages byte by byte for
// codec tests, so that a test can place a malformation at a known offset.
// Offsets in an UPDATE: withdrawn length at 19, withdrawn routes at 21, total path
// attribute length at 21 + W, attributes at 23 + W, NLRI after them.
#pragma once

#include <cstdint>
#include <deque>
#include <initializer_list>
#include <span>
#include <vector>

namespace petrel::test {

using Bytes = std::vector<uint8_t>;

// Keeps a message alive for the rest of the test run, so that views an Update
// holds into it stay valid: decode_update(keep(update(...)), ctx).
inline const Bytes& keep(Bytes b) {
  static std::deque<Bytes> kept;
  return kept.emplace_back(std::move(b));
}

inline Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// A whole message: marker, length, type, body.
inline Bytes message(uint8_t type, const Bytes& body) {
  Bytes out(16, 0xff);
  const std::size_t len = 19 + body.size();
  out.push_back(static_cast<uint8_t>(len >> 8));
  out.push_back(static_cast<uint8_t>(len));
  out.push_back(type);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

// One path attribute; the extended length form when `extended` or when needed.
inline Bytes attribute(uint8_t flags, uint8_t type, const Bytes& value, bool extended = false) {
  Bytes out{flags, type};
  if (extended || value.size() > 255) {
    out[0] |= 0x10;
    out.push_back(static_cast<uint8_t>(value.size() >> 8));
  }
  out.push_back(static_cast<uint8_t>(value.size()));
  out.insert(out.end(), value.begin(), value.end());
  return out;
}

inline Bytes u16(uint16_t v) { return {static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)}; }
inline Bytes u32(uint32_t v) {
  return {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16), static_cast<uint8_t>(v >> 8),
          static_cast<uint8_t>(v)};
}

// The body of an UPDATE from its three fields.
inline Bytes update_body(const Bytes& withdrawn, const Bytes& attrs, const Bytes& nlri) {
  return cat({u16(static_cast<uint16_t>(withdrawn.size())), withdrawn, u16(static_cast<uint16_t>(attrs.size())),
              attrs, nlri});
}
inline Bytes update(const Bytes& withdrawn, const Bytes& attrs, const Bytes& nlri) {
  return message(2, update_body(withdrawn, attrs, nlri));
}

// Common well-formed attributes (2-octet or 4-octet AS as asked).
inline Bytes origin_igp() { return attribute(0x40, 1, {0}); }
inline Bytes as_path_seq4(std::initializer_list<uint32_t> asns) {
  Bytes v{2, static_cast<uint8_t>(asns.size())};
  for (auto a : asns) {
    auto b = u32(a);
    v.insert(v.end(), b.begin(), b.end());
  }
  return attribute(0x40, 2, v);
}
inline Bytes next_hop(uint8_t a, uint8_t b, uint8_t c, uint8_t d) { return attribute(0x40, 3, {a, b, c, d}); }
// ORIGIN, AS_PATH [65001], NEXT_HOP 192.0.2.1: 4 + 9 + 7 = 20 bytes.
inline Bytes mandatory() { return cat({origin_igp(), as_path_seq4({65001}), next_hop(192, 0, 2, 1)}); }

}  // namespace petrel::test
