// bgp/wire/types.hpp — protocol constants: message types, families, attribute and
// capability type codes, as assigned by IANA. Pure data, links only core/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace petrel::bgp::wire {

inline constexpr std::size_t kHeaderSize = 19;        // RFC 4271 §4.1
inline constexpr std::size_t kMaxMessageSize = 4096;  // RFC 4271 §4.1
inline constexpr std::size_t kMaxExtendedMessageSize = 65535;  // RFC 8654
inline constexpr uint16_t kAsTrans = 23456;           // RFC 6793 §9

enum class MessageType : uint8_t {
  open = 1,
  update = 2,
  notification = 3,
  keepalive = 4,
  route_refresh = 5,  // RFC 2918
};
std::string_view to_string(MessageType t);

// The address families Petrel routes. Anything else is kept raw (AfiSafi).
enum class Family : uint8_t { ipv4_unicast = 0, ipv6_unicast = 1 };
inline constexpr std::size_t kFamilyCount = 2;
inline constexpr std::size_t index(Family f) { return static_cast<std::size_t>(f); }

inline constexpr uint16_t kAfiIpv4 = 1;
inline constexpr uint16_t kAfiIpv6 = 2;
inline constexpr uint8_t kSafiUnicast = 1;

struct AfiSafi {
  uint16_t afi = 0;
  uint8_t safi = 0;
  friend bool operator==(const AfiSafi&, const AfiSafi&) = default;
};

inline constexpr AfiSafi to_afi_safi(Family f) {
  return f == Family::ipv4_unicast ? AfiSafi{kAfiIpv4, kSafiUnicast} : AfiSafi{kAfiIpv6, kSafiUnicast};
}
inline constexpr std::optional<Family> to_family(AfiSafi a) {
  if (a.safi != kSafiUnicast) return std::nullopt;
  if (a.afi == kAfiIpv4) return Family::ipv4_unicast;
  if (a.afi == kAfiIpv6) return Family::ipv6_unicast;
  return std::nullopt;
}
std::string_view to_string(Family f);

// Path attribute type codes.
namespace attr {
inline constexpr uint8_t origin = 1;            // RFC 4271
inline constexpr uint8_t as_path = 2;           // RFC 4271
inline constexpr uint8_t next_hop = 3;          // RFC 4271
inline constexpr uint8_t med = 4;               // RFC 4271 MULTI_EXIT_DISC
inline constexpr uint8_t local_pref = 5;        // RFC 4271
inline constexpr uint8_t atomic_aggregate = 6;  // RFC 4271
inline constexpr uint8_t aggregator = 7;        // RFC 4271
inline constexpr uint8_t communities = 8;       // RFC 1997
inline constexpr uint8_t originator_id = 9;     // RFC 4456
inline constexpr uint8_t cluster_list = 10;     // RFC 4456
inline constexpr uint8_t mp_reach_nlri = 14;    // RFC 4760
inline constexpr uint8_t mp_unreach_nlri = 15;  // RFC 4760
inline constexpr uint8_t ext_communities = 16;  // RFC 4360
inline constexpr uint8_t as4_path = 17;         // RFC 6793
inline constexpr uint8_t as4_aggregator = 18;   // RFC 6793
inline constexpr uint8_t large_communities = 32;  // RFC 8092
}  // namespace attr

// Attribute flag bits (RFC 4271 §4.3).
namespace attr_flag {
inline constexpr uint8_t optional = 0x80;
inline constexpr uint8_t transitive = 0x40;
inline constexpr uint8_t partial = 0x20;
inline constexpr uint8_t extended_length = 0x10;
}  // namespace attr_flag

// Capability codes (RFC 5492 registry).
namespace cap {
inline constexpr uint8_t multiprotocol = 1;           // RFC 4760
inline constexpr uint8_t route_refresh = 2;           // RFC 2918
inline constexpr uint8_t extended_next_hop = 5;       // RFC 8950
inline constexpr uint8_t extended_message = 6;        // RFC 8654
inline constexpr uint8_t graceful_restart = 64;       // RFC 4724
inline constexpr uint8_t four_octet_as = 65;          // RFC 6793
inline constexpr uint8_t add_path = 69;               // RFC 7911
inline constexpr uint8_t enhanced_route_refresh = 70; // RFC 7313
inline constexpr uint8_t long_lived_gr = 71;          // RFC 9494
inline constexpr uint8_t hostname = 73;               // draft-walton-bgp-hostname-capability
}  // namespace cap

}  // namespace petrel::bgp::wire
