// MP_UNREACH_NLRI (RFC 4760 §4; errors RFC 7606 §7.12 and §5.3).
#include "bgp/wire/attrs/attrs.hpp"
#include "core/bytes.hpp"

namespace petrel::bgp::wire::attrs {

void decode_mp_unreach(const AttrInput& in, AttrDecoder& d) {
  ByteReader r(in.value);
  if (in.value.size() < 3)
    return d.fail(in, err::optional_attribute, ErrorAction::session_reset, "shorter than 3 bytes");
  const AfiSafi as{r.u16(), r.u8()};
  const auto family = to_family(as);
  if (!family) {
    d.update.disabled_family = as;
    return d.fail(in, err::optional_attribute, ErrorAction::afisafi_disable,
                  "AFI " + std::to_string(as.afi) + " SAFI " + std::to_string(as.safi) + " not supported");
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
  d.update.mp_unreach = MpUnreach{*family, *nlri};
}

}  // namespace petrel::bgp::wire::attrs
