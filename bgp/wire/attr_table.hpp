// bgp/wire/attr_table.hpp — one row per path attribute Petrel understands: its
// type code, name, the Optional/Transitive flags it must carry, the action for a
// flags conflict, and its decode and encode functions (each attribute in its own
// file under attrs/). The UPDATE decoder walks the wire and dispatches through the
// table; the encoder walks the table in type order. Internal to bgp/wire.
#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bgp/wire/update.hpp"

namespace petrel::bgp::wire {

// One attribute as found on the wire.
struct AttrInput {
  uint8_t flags = 0;
  uint8_t type = 0;
  std::span<const uint8_t> value;
  std::span<const uint8_t> whole;  // flags, type, length and value: the NOTIFICATION data
  uint32_t offset = 0;             // of `whole` in the message
};

// State shared by the rows while one UPDATE is decoded.
struct AttrDecoder {
  const CodecContext& ctx;
  Update& update;
  std::optional<AsPath> as4_path;            // RFC 6793, merged after the walk
  std::optional<Aggregator> as4_aggregator;  // RFC 6793, merged after the walk
  std::bitset<256> seen;                     // attribute types present on the wire
  AsPath spare_path;                         // storage of the last AS_PATH, refilled

  // Records an error about attribute `in` (data: the whole attribute).
  void fail(const AttrInput& in, uint8_t subcode, ErrorAction action, std::string reason);
  // Records an error found elsewhere (an NLRI check), keeping the strongest action.
  void record(WireError e);
  // Records an error with explicit location and data.
  void fail_at(uint32_t offset, uint32_t length, uint8_t subcode, ErrorAction action, std::string reason,
               std::vector<uint8_t> data = {});
};

using AttrDecodeFn = void (*)(const AttrInput&, AttrDecoder&);
using AttrEncodeFn = void (*)(const PathAttributes&, const CodecContext&, std::vector<uint8_t>&);

struct AttrRow {
  uint8_t type;
  std::string_view name;
  uint8_t flags;             // the Optional and Transitive bits it must carry
  ErrorAction flags_error;   // RFC 7606 §3 (c), unless the attribute says otherwise
  AttrDecodeFn decode;
  AttrEncodeFn encode;       // null for MP_REACH/MP_UNREACH, written by the UPDATE encoder
};

std::span<const AttrRow> attr_rows();
const AttrRow* find_attr_row(uint8_t type);

// Writes an attribute header; finish_attr() fixes the length, switching to the
// extended length form only when the value exceeds 255 bytes.
std::size_t begin_attr(std::vector<uint8_t>& out, uint8_t flags, uint8_t type);
void finish_attr(std::vector<uint8_t>& out, std::size_t start);

}  // namespace petrel::bgp::wire
