#include "bgp/wire/update.hpp"

#include "bgp/wire/attr_table.hpp"
#include "bgp/wire/attrs/attrs.hpp"
#include "bgp/wire/message.hpp"
#include "core/bytes.hpp"

namespace petrel::bgp::wire {

namespace {

WireError list_error(uint32_t offset, uint32_t length, std::string reason) {
  // RFC 4271 §6.3 / RFC 7606 §4: lengths that do not add up to the message leave
  // no way to find the NLRI: Malformed Attribute List, session reset.
  return WireError{err::update, err::malformed_attribute_list, offset, length, ErrorAction::session_reset, {},
                   std::move(reason)};
}

// Walks the path attributes, dispatching each through the attribute table.
void decode_attributes(std::span<const uint8_t> attrs, uint32_t base, AttrDecoder& d) {
  auto& seen = d.seen;
  ByteReader r(attrs);
  while (!r.empty()) {
    const uint32_t at = base + static_cast<uint32_t>(r.position());
    // RFC 7606 §4: too few bytes left for a header, or a length that runs past the
    // Total Path Attribute Length: treat-as-withdraw; the NLRI field is still found
    // from the Total Path Attribute Length.
    const uint8_t flags = r.has(1) ? *r.current() : 0;
    const std::size_t header = (flags & attr_flag::extended_length) ? 4 : 3;
    if (!r.has(header)) {
      d.fail_at(at, static_cast<uint32_t>(r.remaining()), err::malformed_attribute_list,
                ErrorAction::treat_as_withdraw, "truncated attribute header");
      return;
    }
    r.skip(1);
    const uint8_t type = r.u8();
    const std::size_t len = header == 4 ? r.u16() : r.u8();
    if (!r.has(len)) {
      d.fail_at(at, static_cast<uint32_t>(header + r.remaining()), err::attribute_length,
                ErrorAction::treat_as_withdraw,
                "attribute " + std::to_string(type) + " length " + std::to_string(len) + " overruns the attribute list");
      return;
    }
    const AttrInput in{flags, type, r.bytes(len), attrs.subspan(at - base, header + len), at};
    ++d.update.attribute_count;

    // RFC 7606 §3 (g): a repeated MP_REACH_NLRI / MP_UNREACH_NLRI resets the
    // session; any other repeat is discarded and the first kept.
    if (seen[type]) {
      const bool mp = type == attr::mp_reach_nlri || type == attr::mp_unreach_nlri;
      d.fail(in, err::malformed_attribute_list, mp ? ErrorAction::session_reset : ErrorAction::attribute_discard,
             "attribute " + std::to_string(type) + " appears more than once");
      continue;
    }
    seen.set(type);

    const AttrRow* row = find_attr_row(type);
    if (row == nullptr) {
      if (!(flags & attr_flag::optional)) {
        // RFC 4271 §6.3: an unrecognized well-known attribute.
        d.fail(in, err::unrecognized_well_known, ErrorAction::session_reset,
               "unrecognized well-known attribute " + std::to_string(type));
      } else if (flags & attr_flag::transitive) {
        // RFC 4271 §5: kept to be passed on, with the Partial bit set.
        d.update.attrs.unknown.push_back(
            {static_cast<uint8_t>((flags | attr_flag::partial) & ~attr_flag::extended_length), type,
             std::vector<uint8_t>(in.value.begin(), in.value.end())});
      }
      // An unrecognized optional non-transitive attribute is quietly ignored.
      continue;
    }
    // RFC 7606 §3 (c): the Optional and Transitive bits must be what the
    // attribute's specification says.
    if ((flags & (attr_flag::optional | attr_flag::transitive)) != row->flags) {
      d.fail(in, err::attribute_flags, row->flags_error,
             "flags " + std::to_string(flags) + " conflict with the attribute's definition");
      continue;
    }
    row->decode(in, d);
  }
}

// RFC 7606 §3 (d): a missing well-known mandatory attribute makes the announced
// routes unusable (treat-as-withdraw). NEXT_HOP is mandatory only for routes in
// the IPv4 NLRI field (RFC 4760 §3); LOCAL_PREF's absence is the RIB's call.
// "Missing" means absent on the wire: one present but malformed has its own error.
void check_mandatory(uint32_t attrs_offset, uint32_t attrs_length, AttrDecoder& d) {
  const Update& u = d.update;
  if (!u.has_announcements()) return;
  auto missing = [&](uint8_t type, const char* name) {
    d.fail_at(attrs_offset, attrs_length, err::missing_well_known, ErrorAction::treat_as_withdraw,
              std::string("missing ") + name, {type});
  };
  if (!d.seen[attr::origin]) missing(attr::origin, "ORIGIN");
  if (!d.seen[attr::as_path]) missing(attr::as_path, "AS_PATH");
  if (!u.nlri.empty() && !d.seen[attr::next_hop]) missing(attr::next_hop, "NEXT_HOP");
}

}  // namespace

std::optional<Family> Update::end_of_rib() const {
  if (!withdrawn.empty() || !nlri.empty() || mp_reach) return std::nullopt;
  if (attribute_count == 0) return Family::ipv4_unicast;
  if (attribute_count == 1 && mp_unreach && mp_unreach->nlri.empty()) return mp_unreach->family;
  return std::nullopt;
}

namespace {

// Empties `u` for the next message but keeps what it allocated: vectors keep
// their capacity, and the AS_PATH's segments are handed to the decoder to refill.
AsPath reset_for_reuse(Update& u) {
  AsPath spare;
  if (u.attrs.as_path) spare = std::move(*u.attrs.as_path);
  PathAttributes& a = u.attrs;
  a.origin.reset();
  a.as_path.reset();
  a.next_hop.reset();
  a.med.reset();
  a.local_pref.reset();
  a.atomic_aggregate = false;
  a.aggregator.reset();
  a.communities.clear();
  a.originator_id.reset();
  a.cluster_list.clear();
  a.ext_communities.clear();
  a.large_communities.clear();
  a.unknown.clear();
  u.withdrawn = {};
  u.nlri = {};
  u.mp_reach.reset();
  u.mp_unreach.reset();
  u.action = ErrorAction::none;
  u.errors.clear();
  u.disabled_family.reset();
  u.attribute_count = 0;
  return spare;
}

}  // namespace

Result<void, WireError> decode_update(std::span<const uint8_t> message, const CodecContext& ctx, Update& u) {
  AsPath spare = reset_for_reuse(u);
  ByteReader r(message);
  if (!r.skip(kHeaderSize) || !r.has(4))
    return list_error(0, static_cast<uint32_t>(message.size()), "UPDATE shorter than 23 bytes");
  const uint16_t withdrawn_len = r.u16();
  if (!r.has(withdrawn_len + 2u))
    return list_error(19, 2, "withdrawn routes length " + std::to_string(withdrawn_len) + " overruns the message");
  const auto withdrawn = r.bytes(withdrawn_len);
  const uint32_t attrs_len_at = 21 + withdrawn_len;
  const uint16_t attrs_len = r.u16();
  if (!r.has(attrs_len))
    return list_error(attrs_len_at, 2, "total path attribute length " + std::to_string(attrs_len) + " overruns the message");
  const auto attrs = r.bytes(attrs_len);
  const auto nlri = r.rest();
  const uint32_t attrs_at = attrs_len_at + 2;

  // RFC 7606 §5.3: an IPv4 NLRI field that cannot be parsed resets the session.
  const bool add_path = ctx.add_path_receive[index(Family::ipv4_unicast)];
  auto w = validate_nlri(withdrawn, Family::ipv4_unicast, add_path, 21, err::invalid_network_field,
                         ErrorAction::session_reset);
  if (!w) return w.error();
  u.withdrawn = *w;
  auto n = validate_nlri(nlri, Family::ipv4_unicast, add_path, attrs_at + attrs_len, err::invalid_network_field,
                         ErrorAction::session_reset);
  if (!n) return n.error();
  u.nlri = *n;

  AttrDecoder d{ctx, u, std::nullopt, std::nullopt, {}, std::move(spare)};
  decode_attributes(attrs, attrs_at, d);
  if (!ctx.four_octet_as) attrs::merge_as4(d);
  check_mandatory(attrs_at, attrs_len, d);

  if (u.action == ErrorAction::session_reset) {
    for (auto& e : u.errors)
      if (e.action == ErrorAction::session_reset) return std::move(e);
  }
  return {};
}

Result<Update, WireError> decode_update(std::span<const uint8_t> message, const CodecContext& ctx) {
  Update u;
  if (auto r = decode_update(message, ctx, u); !r) return r.error();
  return u;
}

UpdateMessage to_message(const Update& u) {
  UpdateMessage m;
  m.withdrawn = to_vector(u.withdrawn);
  m.attrs = u.attrs;
  m.nlri = to_vector(u.nlri);
  if (u.mp_reach) m.mp_reach = MpReachMessage{u.mp_reach->family, u.mp_reach->next_hop, to_vector(u.mp_reach->nlri)};
  if (u.mp_unreach) m.mp_unreach = MpUnreachMessage{u.mp_unreach->family, to_vector(u.mp_unreach->nlri)};
  return m;
}

void encode_path_attributes(const PathAttributes& attrs, const CodecContext& ctx, std::vector<uint8_t>& out) {
  for (const auto& row : attr_rows())
    if (row.encode) row.encode(attrs, ctx, out);
  for (const auto& raw : attrs.unknown) {
    const auto at = begin_attr(out, raw.flags, raw.type);
    out.insert(out.end(), raw.value.begin(), raw.value.end());
    finish_attr(out, at);
  }
}

namespace {

void encode_mp_next_hop(const MpNextHop& nh, ByteWriter& w) {
  const std::size_t n = nh.global.byte_length() + (nh.link_local ? 16 : 0);
  w.u8(static_cast<uint8_t>(n));
  w.bytes(nh.global.data(), nh.global.byte_length());
  if (nh.link_local) w.bytes(nh.link_local->data(), 16);
  w.u8(0);  // reserved
}

}  // namespace

Result<void, Error> encode_update(const UpdateMessage& m, const CodecContext& ctx, std::vector<uint8_t>& out) {
  const std::size_t start = begin_message(out, MessageType::update);
  ByteWriter w(out);
  const bool ap4 = ctx.add_path_send[index(Family::ipv4_unicast)];
  const std::size_t wlen_at = out.size();
  w.u16(0);
  for (const auto& e : m.withdrawn) encode_nlri(e, ap4, w);
  w.patch_u16(wlen_at, static_cast<uint16_t>(out.size() - wlen_at - 2));
  const std::size_t alen_at = out.size();
  w.u16(0);
  // RFC 7606 §5.1: MP_REACH_NLRI and MP_UNREACH_NLRI go first.
  if (m.mp_reach) {
    const auto& mp = *m.mp_reach;
    const auto at = begin_attr(out, attr_flag::optional, attr::mp_reach_nlri);
    const AfiSafi as = to_afi_safi(mp.family);
    w.u16(as.afi);
    w.u8(as.safi);
    encode_mp_next_hop(mp.next_hop, w);
    for (const auto& e : mp.nlri) encode_nlri(e, ctx.add_path_send[index(mp.family)], w);
    finish_attr(out, at);
  }
  if (m.mp_unreach) {
    const auto& mp = *m.mp_unreach;
    const auto at = begin_attr(out, attr_flag::optional, attr::mp_unreach_nlri);
    const AfiSafi as = to_afi_safi(mp.family);
    w.u16(as.afi);
    w.u8(as.safi);
    for (const auto& e : mp.nlri) encode_nlri(e, ctx.add_path_send[index(mp.family)], w);
    finish_attr(out, at);
  }
  encode_path_attributes(m.attrs, ctx, out);
  w.patch_u16(alen_at, static_cast<uint16_t>(out.size() - alen_at - 2));
  for (const auto& e : m.nlri) encode_nlri(e, ap4, w);
  const std::size_t size = out.size() - start;
  if (size > ctx.max_message_size()) {
    out.resize(start);
    return Error{"UPDATE of " + std::to_string(size) + " bytes exceeds " + std::to_string(ctx.max_message_size())};
  }
  finish_message(out, start);
  return {};
}

void encode_end_of_rib(Family family, std::vector<uint8_t>& out) {
  const std::size_t start = begin_message(out, MessageType::update);
  ByteWriter w(out);
  w.u16(0);  // no withdrawn routes
  if (family == Family::ipv4_unicast) {
    w.u16(0);  // RFC 4724 §2: an empty UPDATE
  } else {
    // RFC 4724 §2: an UPDATE with only an empty MP_UNREACH_NLRI of the family.
    const AfiSafi as = to_afi_safi(family);
    w.u16(6);
    w.u8(attr_flag::optional);
    w.u8(attr::mp_unreach_nlri);
    w.u8(3);
    w.u16(as.afi);
    w.u8(as.safi);
  }
  finish_message(out, start);
}

}  // namespace petrel::bgp::wire
