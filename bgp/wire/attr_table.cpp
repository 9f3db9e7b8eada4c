#include "bgp/wire/attr_table.hpp"

#include <array>

#include "bgp/wire/attrs/attrs.hpp"
#include "core/bytes.hpp"

namespace petrel::bgp::wire {

namespace {

using namespace attrs;
constexpr uint8_t O = attr_flag::optional;
constexpr uint8_t T = attr_flag::transitive;
constexpr ErrorAction withdraw = ErrorAction::treat_as_withdraw;
constexpr ErrorAction discard = ErrorAction::attribute_discard;
constexpr ErrorAction reset = ErrorAction::session_reset;

// RFC 7606 §3 (c): a flags conflict is treat-as-withdraw, except where the
// attribute's own rules are gentler (RFC 6793 §6 for AS4_*: attribute discard) or
// stricter (RFC 7606 §5.3 for the MP attributes, whose NLRI cannot be trusted).
constexpr AttrRow kRows[] = {
    {attr::origin, "ORIGIN", 0 | T, withdraw, decode_origin, encode_origin},
    {attr::as_path, "AS_PATH", 0 | T, withdraw, decode_as_path, encode_as_path},
    {attr::next_hop, "NEXT_HOP", 0 | T, withdraw, decode_next_hop, encode_next_hop},
    {attr::med, "MULTI_EXIT_DISC", O, withdraw, decode_med, encode_med},
    {attr::local_pref, "LOCAL_PREF", 0 | T, withdraw, decode_local_pref, encode_local_pref},
    {attr::atomic_aggregate, "ATOMIC_AGGREGATE", 0 | T, withdraw, decode_atomic_aggregate, encode_atomic_aggregate},
    {attr::aggregator, "AGGREGATOR", O | T, withdraw, decode_aggregator, encode_aggregator},
    {attr::communities, "COMMUNITIES", O | T, withdraw, decode_communities, encode_communities},
    {attr::originator_id, "ORIGINATOR_ID", O, withdraw, decode_originator_id, encode_originator_id},
    {attr::cluster_list, "CLUSTER_LIST", O, withdraw, decode_cluster_list, encode_cluster_list},
    {attr::mp_reach_nlri, "MP_REACH_NLRI", O, reset, decode_mp_reach, nullptr},
    {attr::mp_unreach_nlri, "MP_UNREACH_NLRI", O, reset, decode_mp_unreach, nullptr},
    {attr::ext_communities, "EXTENDED_COMMUNITIES", O | T, withdraw, decode_ext_communities, encode_ext_communities},
    {attr::as4_path, "AS4_PATH", O | T, discard, decode_as4_path, encode_as4_path},
    {attr::as4_aggregator, "AS4_AGGREGATOR", O | T, discard, decode_as4_aggregator, encode_as4_aggregator},
    {attr::large_communities, "LARGE_COMMUNITY", O | T, withdraw, decode_large_communities, encode_large_communities},
};

constexpr std::array<const AttrRow*, 256> make_index() {
  std::array<const AttrRow*, 256> index{};
  for (const auto& row : kRows) index[row.type] = &row;
  return index;
}
constexpr auto kIndex = make_index();

}  // namespace

std::span<const AttrRow> attr_rows() { return kRows; }
const AttrRow* find_attr_row(uint8_t type) { return kIndex[type]; }

void AttrDecoder::fail(const AttrInput& in, uint8_t subcode, ErrorAction action, std::string reason) {
  fail_at(in.offset, static_cast<uint32_t>(in.whole.size()), subcode, action,
          std::string(find_attr_row(in.type) ? find_attr_row(in.type)->name : "attribute") + ": " +
              std::move(reason),
          std::vector<uint8_t>(in.whole.begin(), in.whole.end()));
}

void AttrDecoder::fail_at(uint32_t offset, uint32_t length, uint8_t subcode, ErrorAction action,
                          std::string reason, std::vector<uint8_t> data) {
  record(WireError{err::update, subcode, offset, length, action, std::move(data), std::move(reason)});
}

void AttrDecoder::record(WireError e) {
  update.action = stronger(update.action, e.action);
  update.errors.push_back(std::move(e));
}

std::size_t begin_attr(std::vector<uint8_t>& out, uint8_t flags, uint8_t type) {
  const std::size_t start = out.size();
  out.push_back(static_cast<uint8_t>(flags & ~attr_flag::extended_length));
  out.push_back(type);
  out.push_back(0);
  return start;
}

void finish_attr(std::vector<uint8_t>& out, std::size_t start) {
  const std::size_t len = out.size() - start - 3;
  if (len <= 255) {
    out[start + 2] = static_cast<uint8_t>(len);
    return;
  }
  // RFC 4271 §4.3: the Extended Length bit gives a two-octet length.
  out[start] |= attr_flag::extended_length;
  out.insert(out.begin() + static_cast<std::ptrdiff_t>(start + 2), 0);
  ByteWriter(out).patch_u16(start + 2, static_cast<uint16_t>(len));
}

}  // namespace petrel::bgp::wire
