// AS_PATH and AS4_PATH (RFC 4271 §4.3 type 2, RFC 6793 type 17; errors RFC 7606
// §7.2 and RFC 6793 §6), and the §4.2.3 reconstruction for 2-octet peers.
#include <algorithm>

#include "bgp/wire/attrs/attrs.hpp"
#include "core/bytes.hpp"

namespace petrel::bgp::wire::attrs {

namespace {

// Parses segments of `as_size`-octet AS numbers into `path`, reusing the
// segments (and their capacity) it already has. Returns a reason on error.
std::optional<std::string> parse_segments(std::span<const uint8_t> v, std::size_t as_size, AsPath& path) {
  ByteReader r(v);
  std::size_t used = 0;
  while (!r.empty()) {
    if (!r.has(2)) return "truncated segment header";
    const uint8_t type = r.u8();
    const uint8_t count = r.u8();
    // RFC 7606 §7.2: an unknown segment type or a zero-length segment is malformed.
    if (type < 1 || type > 4) return "segment type " + std::to_string(type);
    if (count == 0) return "empty segment";
    if (!r.has(count * as_size)) return "segment overruns the attribute";
    if (used == path.segments.size()) path.segments.emplace_back();
    AsPathSegment& seg = path.segments[used++];
    seg.type = static_cast<AsSegmentType>(type);
    seg.asns.resize(count);
    for (auto& asn : seg.asns) asn = as_size == 4 ? r.u32() : r.u16();
  }
  path.segments.resize(used);
  return std::nullopt;
}

bool is_confed(const AsPathSegment& s) {
  return s.type == AsSegmentType::confed_sequence || s.type == AsSegmentType::confed_set;
}

// Writes `path`'s segments as `as_size`-octet numbers, splitting any segment longer
// than 255 into several of the same type. With 2-octet numbers, ASes above 65535
// become AS_TRANS (RFC 6793 §4.2.2). `skip_confed` leaves confederation segments
// out, as AS4_PATH must (RFC 6793 §4.2.2).
void write_segments(const AsPath& path, std::size_t as_size, bool skip_confed, std::vector<uint8_t>& out) {
  ByteWriter w(out);
  for (const auto& seg : path.segments) {
    if (skip_confed && is_confed(seg)) continue;
    for (std::size_t i = 0; i < seg.asns.size(); i += 255) {
      const std::size_t n = std::min<std::size_t>(255, seg.asns.size() - i);
      w.u8(static_cast<uint8_t>(seg.type));
      w.u8(static_cast<uint8_t>(n));
      for (std::size_t k = i; k < i + n; ++k) {
        const uint32_t asn = seg.asns[k];
        if (as_size == 4) w.u32(asn);
        else w.u16(asn > 0xffff ? kAsTrans : static_cast<uint16_t>(asn));
      }
    }
  }
}

bool has_four_octet_as(const AsPath& path) {
  return std::any_of(path.segments.begin(), path.segments.end(), [](const AsPathSegment& s) {
    return !is_confed(s) && std::any_of(s.asns.begin(), s.asns.end(), [](uint32_t a) { return a > 0xffff; });
  });
}

}  // namespace

void decode_as_path(const AttrInput& in, AttrDecoder& d) {
  AsPath& path = d.spare_path;
  if (auto why = parse_segments(in.value, d.ctx.four_octet_as ? 4 : 2, path))
    return d.fail(in, err::malformed_as_path, ErrorAction::treat_as_withdraw, *why);
  d.update.attrs.as_path = std::move(path);
}

void encode_as_path(const PathAttributes& a, const CodecContext& ctx, std::vector<uint8_t>& out) {
  if (!a.as_path) return;
  const auto at = begin_attr(out, attr_flag::transitive, attr::as_path);
  write_segments(*a.as_path, ctx.four_octet_as ? 4 : 2, /*skip_confed=*/false, out);
  finish_attr(out, at);
}

void decode_as4_path(const AttrInput& in, AttrDecoder& d) {
  // RFC 6793 §4.1: between two 4-octet speakers AS4_PATH has no meaning; discard.
  if (d.ctx.four_octet_as) return;
  AsPath path;
  auto why = parse_segments(in.value, 4, path);
  if (!why && std::any_of(path.segments.begin(), path.segments.end(), is_confed))
    why = "confederation segment";
  // RFC 6793 §6: a malformed AS4_PATH is discarded, the route kept.
  if (why) return d.fail(in, err::optional_attribute, ErrorAction::attribute_discard, *why);
  d.as4_path = std::move(path);
}

void encode_as4_path(const PathAttributes& a, const CodecContext& ctx, std::vector<uint8_t>& out) {
  // RFC 6793 §4.2.2: a 2-octet peer gets AS4_PATH only when a real AS was replaced.
  if (ctx.four_octet_as || !a.as_path || !has_four_octet_as(*a.as_path)) return;
  const auto at = begin_attr(out, attr_flag::optional | attr_flag::transitive, attr::as4_path);
  write_segments(*a.as_path, 4, /*skip_confed=*/true, out);
  finish_attr(out, at);
}

void merge_as4(AttrDecoder& d) {
  auto& attrs = d.update.attrs;
  // RFC 6793 §4.2.3: an AGGREGATOR that does not carry AS_TRANS means a 2-octet
  // speaker aggregated after the path left 4-octet land: AS4_AGGREGATOR and
  // AS4_PATH are both stale and ignored.
  if (attrs.aggregator && d.as4_aggregator) {
    if (attrs.aggregator->asn != kAsTrans) return;
    attrs.aggregator = d.as4_aggregator;
  }
  if (!d.as4_path || !attrs.as_path) return;
  const std::size_t n2 = attrs.as_path->length();
  const std::size_t n4 = d.as4_path->length();
  // RFC 6793 §4.2.3: more ASes in AS4_PATH than in AS_PATH: ignore AS4_PATH.
  if (n4 > n2) return;
  // Keep the leading n2 - n4 ASes of AS_PATH (and any confederation segments
  // among them), then append AS4_PATH.
  AsPath merged;
  std::size_t need = n2 - n4;
  for (const auto& seg : attrs.as_path->segments) {
    if (is_confed(seg)) {
      merged.segments.push_back(seg);
      continue;
    }
    if (need == 0) break;
    if (seg.type == AsSegmentType::set) {
      merged.segments.push_back(seg);
      --need;
    } else {
      const std::size_t take = std::min(need, seg.asns.size());
      merged.segments.push_back({seg.type, {seg.asns.begin(), seg.asns.begin() + static_cast<std::ptrdiff_t>(take)}});
      need -= take;
    }
  }
  auto& segs = merged.segments;
  auto rest = d.as4_path->segments.begin();
  // Join the two sequences that meet at the seam, as the sender had them; the
  // rest of AS4_PATH keeps its own segmentation.
  if (rest != d.as4_path->segments.end() && !segs.empty() && segs.back().type == AsSegmentType::sequence &&
      rest->type == AsSegmentType::sequence && segs.back().asns.size() + rest->asns.size() <= 255) {
    segs.back().asns.insert(segs.back().asns.end(), rest->asns.begin(), rest->asns.end());
    ++rest;
  }
  segs.insert(segs.end(), rest, d.as4_path->segments.end());
  attrs.as_path = std::move(merged);
}

}  // namespace petrel::bgp::wire::attrs
