// rib/store/mrt.cpp — MRT records (RFC 6396), see mrt.hpp.
#include "rib/store/mrt.hpp"

#include "bgp/wire/update.hpp"
#include "core/bytes.hpp"

namespace petrel::rib::store::mrt {
namespace {

namespace wire = bgp::wire;

// §2: the common header; the length is patched by finish_record().
std::size_t begin_record(std::vector<uint8_t>& out, uint32_t timestamp, uint16_t type, uint16_t subtype) {
  ByteWriter w(out);
  w.u32(timestamp);
  w.u16(type);
  w.u16(subtype);
  const std::size_t at = out.size();
  w.u32(0);
  return at;
}
void finish_record(std::vector<uint8_t>& out, std::size_t length_at) {
  const auto n = static_cast<uint32_t>(out.size() - length_at - 4);
  out[length_at] = static_cast<uint8_t>(n >> 24);
  out[length_at + 1] = static_cast<uint8_t>(n >> 16);
  out[length_at + 2] = static_cast<uint8_t>(n >> 8);
  out[length_at + 3] = static_cast<uint8_t>(n);
}

void put_address(ByteWriter& w, const IpAddress& a) { w.bytes(a.data(), a.byte_length()); }

wire::CodecContext as4_context() {
  wire::CodecContext ctx;
  ctx.four_octet_as = true;
  ctx.extended_message = true;
  return ctx;
}

}  // namespace

void encode_peer_index_table(uint32_t timestamp, uint32_t collector_id, std::string_view view_name,
                             std::span<const Peer> peers, std::vector<uint8_t>& out) {
  const std::size_t at = begin_record(out, timestamp, kTableDumpV2, kPeerIndexTable);
  ByteWriter w(out);
  w.u32(collector_id);
  w.u16(static_cast<uint16_t>(view_name.size()));
  w.bytes(reinterpret_cast<const uint8_t*>(view_name.data()), view_name.size());
  w.u16(static_cast<uint16_t>(peers.size()));
  for (const Peer& p : peers) {
    // Peer Type: bit 0 (0x01) IPv6 address, bit 1 (0x02) 4-octet AS number.
    w.u8(static_cast<uint8_t>((p.address.is_v4() ? 0 : 0x01) | 0x02));
    w.u32(p.bgp_id);
    put_address(w, p.address);
    w.u32(p.as);
  }
  finish_record(out, at);
}

void encode_rib_attributes(const Prefix& prefix, const RouteAttrs& attrs, std::vector<uint8_t>& out) {
  wire::PathAttributes a = attrs.attrs;
  const bool v4_next_hop = prefix.is_v4() && attrs.next_hop.is_v4();
  a.next_hop = v4_next_hop ? std::optional<IpAddress>(attrs.next_hop) : std::nullopt;
  wire::encode_path_attributes(a, as4_context(), out);
  if (!v4_next_hop) {
    // §4.3.4: MP_REACH_NLRI with only the next hop's length and address.
    ByteWriter w(out);
    const bool ll = attrs.link_local_next_hop.has_value();
    const uint8_t nh_len = static_cast<uint8_t>(attrs.next_hop.byte_length() + (ll ? 16 : 0));
    w.u8(0x80);  // optional, non-transitive
    w.u8(14);
    w.u8(static_cast<uint8_t>(1 + nh_len));
    w.u8(nh_len);
    put_address(w, attrs.next_hop);
    if (ll) put_address(w, *attrs.link_local_next_hop);
  }
}

void encode_rib(uint32_t timestamp, uint32_t sequence, const Prefix& prefix, std::span<const RibEntry> entries,
                std::vector<uint8_t>& out) {
  const std::size_t at =
      begin_record(out, timestamp, kTableDumpV2, prefix.is_v4() ? kRibIpv4Unicast : kRibIpv6Unicast);
  ByteWriter w(out);
  w.u32(sequence);
  w.u8(prefix.length());
  w.bytes(prefix.address().data(), (prefix.length() + 7u) / 8u);
  w.u16(static_cast<uint16_t>(entries.size()));
  for (const RibEntry& e : entries) {
    w.u16(e.peer_index);
    w.u32(e.originated_time);
    const std::size_t len_at = out.size();
    w.u16(0);
    encode_rib_attributes(prefix, *e.attrs, out);
    w.patch_u16(len_at, static_cast<uint16_t>(out.size() - len_at - 2));
  }
  finish_record(out, at);
}

void encode_bgp4mp_message_as4(uint32_t timestamp, uint32_t peer_as, uint32_t local_as, const IpAddress& peer_address,
                               const IpAddress& local_address, std::span<const uint8_t> message,
                               std::vector<uint8_t>& out) {
  const std::size_t at = begin_record(out, timestamp, kBgp4mp, kBgp4mpMessageAs4);
  ByteWriter w(out);
  w.u32(peer_as);
  w.u32(local_as);
  w.u16(0);  // interface index: not known
  w.u16(peer_address.is_v4() ? wire::kAfiIpv4 : wire::kAfiIpv6);
  put_address(w, peer_address);
  if (local_address.family() == peer_address.family()) put_address(w, local_address);
  else w.fill(0, peer_address.byte_length());
  w.bytes(message);
  finish_record(out, at);
}

std::vector<uint8_t> journal_update(const JournalEntry& e) {
  wire::UpdateMessage m;
  const wire::NlriEntry nlri{0, e.prefix};
  const bool v4 = e.prefix.is_v4();
  if (e.change == ChangeKind::withdraw) {
    if (v4) m.withdrawn.push_back(nlri);
    else m.mp_unreach = wire::MpUnreachMessage{wire::Family::ipv6_unicast, {nlri}};
  } else {
    const AttrSummary& s = e.attrs;
    m.attrs.origin = s.origin.value_or(wire::Origin::incomplete);
    m.attrs.as_path = s.as_path;
    m.attrs.local_pref = s.local_pref;
    m.attrs.med = s.med;
    m.attrs.communities = s.communities;
    m.attrs.large_communities = s.large_communities;
    if (v4 && s.next_hop.is_v4()) {
      m.attrs.next_hop = s.next_hop;
      m.nlri.push_back(nlri);
    } else {
      m.mp_reach = wire::MpReachMessage{v4 ? wire::Family::ipv4_unicast : wire::Family::ipv6_unicast,
                                        wire::MpNextHop{s.next_hop, std::nullopt}, {nlri}};
    }
  }
  std::vector<uint8_t> out;
  if (!wire::encode_update(m, as4_context(), out)) out.clear();
  return out;
}

void encode_journal_entry(const JournalEntry& e, uint32_t local_as, const IpAddress& local_address,
                          std::vector<uint8_t>& out) {
  const std::vector<uint8_t> update = journal_update(e);
  if (update.empty()) return;
  encode_bgp4mp_message_as4(static_cast<uint32_t>(e.time_ms / 1000), e.peer.as, local_as, e.peer.address,
                            local_address, update, out);
}

}  // namespace petrel::rib::store::mrt
