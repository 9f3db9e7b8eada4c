#include "bgp/wire/path_attributes.hpp"

#include <algorithm>

namespace petrel::bgp::wire {

std::size_t AsPath::length() const {
  std::size_t n = 0;
  for (const auto& s : segments) {
    if (s.type == AsSegmentType::sequence) n += s.asns.size();
    else if (s.type == AsSegmentType::set) n += 1;
  }
  return n;
}

std::optional<uint32_t> AsPath::first_as() const {
  for (const auto& s : segments) {
    if (s.type == AsSegmentType::confed_sequence || s.type == AsSegmentType::confed_set) continue;
    if (s.type == AsSegmentType::sequence && !s.asns.empty()) return s.asns.front();
    return std::nullopt;
  }
  return std::nullopt;
}

std::optional<uint32_t> AsPath::origin_as() const {
  if (segments.empty()) return std::nullopt;
  const auto& last = segments.back();
  if (last.type != AsSegmentType::sequence || last.asns.empty()) return std::nullopt;
  return last.asns.back();
}

bool AsPath::contains(uint32_t asn) const {
  return std::any_of(segments.begin(), segments.end(), [asn](const AsPathSegment& s) {
    return std::find(s.asns.begin(), s.asns.end(), asn) != s.asns.end();
  });
}

std::string AsPath::to_string() const {
  std::string out;
  for (const auto& s : segments) {
    const char* open = "";
    const char* close = "";
    switch (s.type) {
      case AsSegmentType::sequence: break;
      case AsSegmentType::set: open = "{"; close = "}"; break;
      case AsSegmentType::confed_sequence: open = "("; close = ")"; break;
      case AsSegmentType::confed_set: open = "[("; close = ")]"; break;
    }
    if (!out.empty()) out += ' ';
    out += open;
    for (std::size_t i = 0; i < s.asns.size(); ++i) {
      if (i) out += ' ';
      out += std::to_string(s.asns[i]);
    }
    out += close;
  }
  return out;
}

std::string to_string(Origin o) {
  switch (o) {
    case Origin::igp: return "IGP";
    case Origin::egp: return "EGP";
    case Origin::incomplete: return "Incomplete";
  }
  return "?";
}

std::string community_to_string(uint32_t c) {
  return std::to_string(c >> 16) + ":" + std::to_string(c & 0xffff);
}

}  // namespace petrel::bgp::wire
