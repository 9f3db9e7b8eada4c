// CLUSTER_LIST (RFC 4456 §8; errors RFC 7606 §7.10).
#include "bgp/wire/attrs/attrs.hpp"
#include "core/bytes.hpp"

namespace petrel::bgp::wire::attrs {

void decode_cluster_list(const AttrInput& in, AttrDecoder& d) {
  // RFC 7606 §7.10: from an external peer it is discarded.
  if (d.ctx.external_peer)
    return d.fail(in, err::unspecific, ErrorAction::attribute_discard, "received from an external peer");
  if (!check_item_list(in, d, 4)) return;
  ByteReader r(in.value);
  auto& list = d.update.attrs.cluster_list;
  list.resize(in.value.size() / 4);
  for (auto& id : list) id = r.u32();
}

void encode_cluster_list(const PathAttributes& a, const CodecContext&, std::vector<uint8_t>& out) {
  if (a.cluster_list.empty()) return;
  const auto at = begin_attr(out, attr_flag::optional, attr::cluster_list);
  ByteWriter w(out);
  for (uint32_t id : a.cluster_list) w.u32(id);
  finish_attr(out, at);
}

}  // namespace petrel::bgp::wire::attrs
