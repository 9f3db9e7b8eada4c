// EXTENDED_COMMUNITIES (RFC 4360; errors RFC 7606 §7.14).
#include <cstring>

#include "bgp/wire/attrs/attrs.hpp"

namespace petrel::bgp::wire::attrs {

void decode_ext_communities(const AttrInput& in, AttrDecoder& d) {
  if (!check_item_list(in, d, 8)) return;
  auto& list = d.update.attrs.ext_communities;
  list.resize(in.value.size() / 8);
  for (std::size_t i = 0; i < list.size(); ++i) std::memcpy(list[i].data(), in.value.data() + 8 * i, 8);
}

void encode_ext_communities(const PathAttributes& a, const CodecContext&, std::vector<uint8_t>& out) {
  if (a.ext_communities.empty()) return;
  const auto at = begin_attr(out, attr_flag::optional | attr_flag::transitive, attr::ext_communities);
  for (const auto& c : a.ext_communities) out.insert(out.end(), c.begin(), c.end());
  finish_attr(out, at);
}

}  // namespace petrel::bgp::wire::attrs
