// ORIGINATOR_ID (RFC 4456 §8; errors RFC 7606 §7.9).
#include "bgp/wire/attrs/attrs.hpp"
#include "core/bytes.hpp"

namespace petrel::bgp::wire::attrs {

void decode_originator_id(const AttrInput& in, AttrDecoder& d) {
  // RFC 7606 §7.9: from an external peer it is discarded.
  if (d.ctx.external_peer)
    return d.fail(in, err::unspecific, ErrorAction::attribute_discard, "received from an external peer");
  if (in.value.size() != 4)
    return d.fail(in, err::attribute_length, ErrorAction::treat_as_withdraw, "length is not 4");
  d.update.attrs.originator_id = ByteReader(in.value).u32();
}

void encode_originator_id(const PathAttributes& a, const CodecContext&, std::vector<uint8_t>& out) {
  if (!a.originator_id) return;
  const auto at = begin_attr(out, attr_flag::optional, attr::originator_id);
  ByteWriter(out).u32(*a.originator_id);
  finish_attr(out, at);
}

}  // namespace petrel::bgp::wire::attrs
