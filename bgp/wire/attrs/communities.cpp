// COMMUNITIES (RFC 1997; errors RFC 7606 §7.8).
#include "bgp/wire/attrs/attrs.hpp"
#include "core/bytes.hpp"

namespace petrel::bgp::wire::attrs {

bool check_item_list(const AttrInput& in, AttrDecoder& d, std::size_t item_size) {
  if (!in.value.empty() && in.value.size() % item_size == 0) return true;
  d.fail(in, err::optional_attribute, ErrorAction::treat_as_withdraw,
         "length " + std::to_string(in.value.size()) + " is not a non-zero multiple of " + std::to_string(item_size));
  return false;
}

void decode_communities(const AttrInput& in, AttrDecoder& d) {
  if (!check_item_list(in, d, 4)) return;
  ByteReader r(in.value);
  auto& list = d.update.attrs.communities;
  list.resize(in.value.size() / 4);
  for (auto& c : list) c = r.u32();
}

void encode_communities(const PathAttributes& a, const CodecContext&, std::vector<uint8_t>& out) {
  if (a.communities.empty()) return;
  const auto at = begin_attr(out, attr_flag::optional | attr_flag::transitive, attr::communities);
  ByteWriter w(out);
  for (uint32_t c : a.communities) w.u32(c);
  finish_attr(out, at);
}

}  // namespace petrel::bgp::wire::attrs
