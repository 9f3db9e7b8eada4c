// LOCAL_PREF (RFC 4271 §4.3 type 5, §5.1.5; errors RFC 7606 §7.5).
#include "bgp/wire/attrs/attrs.hpp"
#include "core/bytes.hpp"

namespace petrel::bgp::wire::attrs {

void decode_local_pref(const AttrInput& in, AttrDecoder& d) {
  // RFC 7606 §7.5: from an external peer it is discarded, whatever its shape.
  if (d.ctx.external_peer)
    return d.fail(in, err::unspecific, ErrorAction::attribute_discard, "received from an external peer");
  if (in.value.size() != 4)
    return d.fail(in, err::attribute_length, ErrorAction::treat_as_withdraw, "length is not 4");
  d.update.attrs.local_pref = ByteReader(in.value).u32();
}

void encode_local_pref(const PathAttributes& a, const CodecContext&, std::vector<uint8_t>& out) {
  if (!a.local_pref) return;
  const auto at = begin_attr(out, attr_flag::transitive, attr::local_pref);
  ByteWriter(out).u32(*a.local_pref);
  finish_attr(out, at);
}

}  // namespace petrel::bgp::wire::attrs
