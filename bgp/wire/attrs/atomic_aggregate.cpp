// ATOMIC_AGGREGATE (RFC 4271 §4.3 type 6; errors RFC 7606 §7.6).
#include "bgp/wire/attrs/attrs.hpp"

namespace petrel::bgp::wire::attrs {

void decode_atomic_aggregate(const AttrInput& in, AttrDecoder& d) {
  if (!in.value.empty())
    return d.fail(in, err::attribute_length, ErrorAction::attribute_discard, "length is not 0");
  d.update.attrs.atomic_aggregate = true;
}

void encode_atomic_aggregate(const PathAttributes& a, const CodecContext&, std::vector<uint8_t>& out) {
  if (!a.atomic_aggregate) return;
  finish_attr(out, begin_attr(out, attr_flag::transitive, attr::atomic_aggregate));
}

}  // namespace petrel::bgp::wire::attrs
