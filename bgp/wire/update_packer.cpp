#include "bgp/wire/update_packer.hpp"

#include "bgp/wire/attr_table.hpp"
#include "bgp/wire/message.hpp"
#include "core/bytes.hpp"

namespace petrel::bgp::wire {

namespace {

// Writes entries from `i` on while they fit under `limit` bytes of `out`
// (counting `reserve` bytes still to come); returns the index of the first one
// left out.
std::size_t fill(std::span<const NlriEntry> nlri, std::size_t i, bool add_path, std::size_t limit,
                 std::size_t reserve, std::vector<uint8_t>& out) {
  ByteWriter w(out);
  for (; i < nlri.size(); ++i) {
    if (out.size() + reserve + nlri_size(nlri[i], add_path) > limit) break;
    encode_nlri(nlri[i], add_path, w);
  }
  return i;
}

// Starts MP_(UN)REACH_NLRI with the two-octet length form, so its size is known
// in advance whatever number of prefixes follows.
std::size_t begin_mp(std::vector<uint8_t>& out, uint8_t type, Family family) {
  ByteWriter w(out);
  const std::size_t at = out.size();
  w.u8(attr_flag::optional | attr_flag::extended_length);
  w.u8(type);
  w.u16(0);
  const AfiSafi as = to_afi_safi(family);
  w.u16(as.afi);
  w.u8(as.safi);
  return at;
}
void finish_mp(std::vector<uint8_t>& out, std::size_t at) {
  ByteWriter(out).patch_u16(at + 2, static_cast<uint16_t>(out.size() - at - 4));
}

bool uses_nlri_field(Family family, const std::optional<MpNextHop>& nh) {
  return family == Family::ipv4_unicast && (!nh || nh->global.is_v4());
}

}  // namespace

Result<std::size_t, Error> pack_announcements(Family family, const PathAttributes& attrs,
                                              const std::optional<MpNextHop>& mp_next_hop,
                                              std::span<const NlriEntry> nlri, const CodecContext& ctx,
                                              std::vector<uint8_t>& out) {
  const bool in_field = uses_nlri_field(family, mp_next_hop);
  if (!in_field && !mp_next_hop) return Error{"MP_REACH_NLRI needs a next hop"};
  std::vector<uint8_t> encoded;
  encode_path_attributes(attrs, ctx, encoded);
  const std::size_t limit = ctx.max_message_size();
  const bool add_path = ctx.add_path_send[index(family)];
  const std::size_t first_out = out.size();
  std::size_t messages = 0;
  for (std::size_t i = 0; i < nlri.size();) {
    const std::size_t start = begin_message(out, MessageType::update);
    ByteWriter w(out);
    w.u16(0);  // withdrawn routes length
    const std::size_t alen_at = out.size();
    w.u16(0);
    std::size_t next;
    if (in_field) {
      w.bytes(encoded);
      w.patch_u16(alen_at, static_cast<uint16_t>(encoded.size()));
      next = fill(nlri, i, add_path, start + limit, 0, out);
    } else {
      const std::size_t mp = begin_mp(out, attr::mp_reach_nlri, family);
      const MpNextHop& nh = *mp_next_hop;
      w.u8(static_cast<uint8_t>(nh.global.byte_length() + (nh.link_local ? 16 : 0)));
      w.bytes(nh.global.data(), nh.global.byte_length());
      if (nh.link_local) w.bytes(nh.link_local->data(), 16);
      w.u8(0);  // reserved
      next = fill(nlri, i, add_path, start + limit, encoded.size(), out);
      finish_mp(out, mp);
      w.bytes(encoded);
      w.patch_u16(alen_at, static_cast<uint16_t>(out.size() - alen_at - 2));
    }
    if (next == i) {
      out.resize(first_out);
      return Error{"path attributes of " + std::to_string(encoded.size()) + " bytes leave no room for a prefix"};
    }
    i = next;
    finish_message(out, start);
    ++messages;
  }
  return messages;
}

std::size_t pack_withdrawals(Family family, std::span<const NlriEntry> nlri, const CodecContext& ctx,
                             std::vector<uint8_t>& out) {
  const std::size_t limit = ctx.max_message_size();
  const bool add_path = ctx.add_path_send[index(family)];
  std::size_t messages = 0;
  for (std::size_t i = 0; i < nlri.size(); ++messages) {
    const std::size_t start = begin_message(out, MessageType::update);
    ByteWriter w(out);
    if (family == Family::ipv4_unicast) {
      const std::size_t wlen_at = out.size();
      w.u16(0);
      i = fill(nlri, i, add_path, start + limit, 2, out);
      w.patch_u16(wlen_at, static_cast<uint16_t>(out.size() - wlen_at - 2));
      w.u16(0);  // no path attributes
    } else {
      w.u16(0);
      const std::size_t alen_at = out.size();
      w.u16(0);
      const std::size_t mp = begin_mp(out, attr::mp_unreach_nlri, family);
      i = fill(nlri, i, add_path, start + limit, 0, out);
      finish_mp(out, mp);
      w.patch_u16(alen_at, static_cast<uint16_t>(out.size() - alen_at - 2));
    }
    finish_message(out, start);
  }
  return messages;
}

}  // namespace petrel::bgp::wire
