// NEXT_HOP (RFC 4271 §4.3 type 3 and §6.3; errors RFC 7606 §7.3).
#include "bgp/wire/attrs/attrs.hpp"

namespace petrel::bgp::wire::attrs {

void decode_next_hop(const AttrInput& in, AttrDecoder& d) {
  if (in.value.size() != 4)
    return d.fail(in, err::attribute_length, ErrorAction::treat_as_withdraw, "length is not 4");
  const IpAddress nh = IpAddress::v4_bytes(in.value.data());
  // RFC 4271 §6.3 and RFC 7606 §7.3: a next hop that is not a valid host address
  // makes the routes unusable: logged, treat-as-withdraw, no NOTIFICATION. Whether
  // it is one of our own addresses is for the RIB to check.
  if (nh.is_unspecified() || nh.is_multicast() || nh.v4_value() == 0xffffffffu)
    return d.fail(in, err::invalid_next_hop, ErrorAction::treat_as_withdraw, nh.to_string() + " is not a host address");
  d.update.attrs.next_hop = nh;
}

void encode_next_hop(const PathAttributes& a, const CodecContext&, std::vector<uint8_t>& out) {
  if (!a.next_hop || !a.next_hop->is_v4()) return;
  const auto at = begin_attr(out, attr_flag::transitive, attr::next_hop);
  out.insert(out.end(), a.next_hop->data(), a.next_hop->data() + 4);
  finish_attr(out, at);
}

}  // namespace petrel::bgp::wire::attrs
