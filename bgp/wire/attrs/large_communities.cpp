// LARGE_COMMUNITY (RFC 8092; errors RFC 8092 §6).
#include "bgp/wire/attrs/attrs.hpp"
#include "core/bytes.hpp"

namespace petrel::bgp::wire::attrs {

void decode_large_communities(const AttrInput& in, AttrDecoder& d) {
  if (!check_item_list(in, d, 12)) return;
  ByteReader r(in.value);
  auto& list = d.update.attrs.large_communities;
  list.resize(in.value.size() / 12);
  for (auto& c : list) {
    c.global = r.u32();
    c.local1 = r.u32();
    c.local2 = r.u32();
  }
}

void encode_large_communities(const PathAttributes& a, const CodecContext&, std::vector<uint8_t>& out) {
  if (a.large_communities.empty()) return;
  const auto at = begin_attr(out, attr_flag::optional | attr_flag::transitive, attr::large_communities);
  ByteWriter w(out);
  for (const auto& c : a.large_communities) {
    w.u32(c.global);
    w.u32(c.local1);
    w.u32(c.local2);
  }
  finish_attr(out, at);
}

}  // namespace petrel::bgp::wire::attrs
