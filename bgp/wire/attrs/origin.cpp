// ORIGIN (RFC 4271 §4.3 type 1; errors RFC 7606 §7.1).
#include "bgp/wire/attrs/attrs.hpp"

namespace petrel::bgp::wire::attrs {

void decode_origin(const AttrInput& in, AttrDecoder& d) {
  // RFC 7606 §7.1: a wrong length or an undefined value is treat-as-withdraw.
  if (in.value.size() != 1)
    return d.fail(in, err::attribute_length, ErrorAction::treat_as_withdraw, "length is not 1");
  if (in.value[0] > 2)
    return d.fail(in, err::invalid_origin, ErrorAction::treat_as_withdraw,
                  "undefined value " + std::to_string(in.value[0]));
  d.update.attrs.origin = static_cast<Origin>(in.value[0]);
}

void encode_origin(const PathAttributes& a, const CodecContext&, std::vector<uint8_t>& out) {
  if (!a.origin) return;
  const auto at = begin_attr(out, attr_flag::transitive, attr::origin);
  out.push_back(static_cast<uint8_t>(*a.origin));
  finish_attr(out, at);
}

}  // namespace petrel::bgp::wire::attrs
