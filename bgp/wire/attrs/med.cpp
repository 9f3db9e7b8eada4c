// MULTI_EXIT_DISC (RFC 4271 §4.3 type 4; errors RFC 7606 §7.4).
#include "bgp/wire/attrs/attrs.hpp"
#include "core/bytes.hpp"

namespace petrel::bgp::wire::attrs {

void decode_med(const AttrInput& in, AttrDecoder& d) {
  if (in.value.size() != 4)
    return d.fail(in, err::attribute_length, ErrorAction::treat_as_withdraw, "length is not 4");
  d.update.attrs.med = ByteReader(in.value).u32();
}

void encode_med(const PathAttributes& a, const CodecContext&, std::vector<uint8_t>& out) {
  if (!a.med) return;
  const auto at = begin_attr(out, attr_flag::optional, attr::med);
  ByteWriter(out).u32(*a.med);
  finish_attr(out, at);
}

}  // namespace petrel::bgp::wire::attrs
