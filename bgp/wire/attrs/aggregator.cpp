// AGGREGATOR and AS4_AGGREGATOR (RFC 4271 §4.3 type 7, RFC 6793 type 18; errors
// RFC 7606 §7.7 and RFC 6793 §6: both are discarded when malformed).
#include "bgp/wire/attrs/attrs.hpp"
#include "core/bytes.hpp"

namespace petrel::bgp::wire::attrs {

void decode_aggregator(const AttrInput& in, AttrDecoder& d) {
  const std::size_t expected = d.ctx.four_octet_as ? 8 : 6;
  if (in.value.size() != expected)
    return d.fail(in, err::attribute_length, ErrorAction::attribute_discard,
                  "length is not " + std::to_string(expected));
  ByteReader r(in.value);
  Aggregator agg;
  agg.asn = d.ctx.four_octet_as ? r.u32() : r.u16();
  agg.address = r.u32();
  d.update.attrs.aggregator = agg;
}

void encode_aggregator(const PathAttributes& a, const CodecContext& ctx, std::vector<uint8_t>& out) {
  if (!a.aggregator) return;
  const auto at = begin_attr(out, attr_flag::optional | attr_flag::transitive, attr::aggregator);
  ByteWriter w(out);
  if (ctx.four_octet_as) w.u32(a.aggregator->asn);
  else w.u16(a.aggregator->asn > 0xffff ? kAsTrans : static_cast<uint16_t>(a.aggregator->asn));
  w.u32(a.aggregator->address);
  finish_attr(out, at);
}

void decode_as4_aggregator(const AttrInput& in, AttrDecoder& d) {
  if (d.ctx.four_octet_as) return;  // RFC 6793 §4.1: meaningless between 4-octet speakers
  if (in.value.size() != 8)
    return d.fail(in, err::optional_attribute, ErrorAction::attribute_discard, "length is not 8");
  ByteReader r(in.value);
  Aggregator agg;
  agg.asn = r.u32();
  agg.address = r.u32();
  d.as4_aggregator = agg;
}

void encode_as4_aggregator(const PathAttributes& a, const CodecContext& ctx, std::vector<uint8_t>& out) {
  if (ctx.four_octet_as || !a.aggregator || a.aggregator->asn <= 0xffff) return;
  const auto at = begin_attr(out, attr_flag::optional | attr_flag::transitive, attr::as4_aggregator);
  ByteWriter w(out);
  w.u32(a.aggregator->asn);
  w.u32(a.aggregator->address);
  finish_attr(out, at);
}

}  // namespace petrel::bgp::wire::attrs
