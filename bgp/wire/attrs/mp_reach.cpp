// MP_REACH_NLRI (RFC 4760 §3, RFC 2545 §3, RFC 8950 §3; errors RFC 7606 §7.11 and
// §5.3). Encoded by the UPDATE encoder, which must put it first (RFC 7606 §5.1).
#include "bgp/wire/attrs/attrs.hpp"
#include "core/bytes.hpp"

namespace petrel::bgp::wire::attrs {

void decode_mp_reach(const AttrInput& in, AttrDecoder& d) {
  ByteReader r(in.value);
  // Without AFI and SAFI nothing can be disabled: the session must reset.
  if (in.value.size() < 5)
    return d.fail(in, err::optional_attribute, ErrorAction::session_reset, "shorter than 5 bytes");
  const AfiSafi as{r.u16(), r.u8()};
  const auto family = to_family(as);
  auto disable = [&](std::string why) {
    d.update.disabled_family = as;
    d.fail(in, err::optional_attribute, ErrorAction::afisafi_disable, std::move(why));
  };
  if (!family)
    return disable("AFI " + std::to_string(as.afi) + " SAFI " + std::to_string(as.safi) + " not supported");
  const uint8_t nh_len = r.u8();
  if (!r.has(nh_len + 1u)) return disable("next hop overruns the attribute");
  const auto nh = r.bytes(nh_len);
  r.skip(1);  // RFC 4760 §3: reserved, ignored on receipt
  MpReach mp;
  mp.family = *family;
  // RFC 7606 §7.11: a next hop length that does not fit the family disables it.
  if (*family == Family::ipv6_unicast || (d.ctx.ipv4_with_ipv6_next_hop && nh_len != 4)) {
    if (nh_len != 16 && nh_len != 32)
      return disable("next hop length " + std::to_string(nh_len) + " is not 16 or 32");
    mp.next_hop.global = IpAddress::v6_bytes(nh.data());
    if (nh_len == 32) mp.next_hop.link_local = IpAddress::v6_bytes(nh.data() + 16);
  } else {
    if (nh_len != 4) return disable("next hop length " + std::to_string(nh_len) + " is not 4");
    mp.next_hop.global = IpAddress::v4_bytes(nh.data());
  }
  const uint32_t nlri_offset = in.offset + static_cast<uint32_t>(in.whole.size() - r.remaining());
  auto nlri = validate_nlri(r.rest(), *family, d.ctx.add_path_receive[index(*family)], nlri_offset,
                            err::optional_attribute, ErrorAction::afisafi_disable);
  if (!nlri) {
    d.update.disabled_family = as;
    auto e = nlri.error();
    e.data.assign(in.whole.begin(), in.whole.end());
    return d.record(std::move(e));
  }
  mp.nlri = *nlri;
  d.update.mp_reach = mp;
}

}  // namespace petrel::bgp::wire::attrs
