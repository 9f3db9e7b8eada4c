// bgp/wire/path_attributes.hpp — decoded path attributes as plain values.
//
// PathAttributes is what one UPDATE says about its routes, after RFC 6793 AS4
// reconstruction: AS numbers are always four octets here whatever the session
// negotiated. MP_REACH_NLRI / MP_UNREACH_NLRI are not attributes of the route and
// live in the Update (update.hpp). Optional transitive attributes Petrel does not
// know are kept in `unknown` to be passed on. Plain data with value equality;
// interning and sharing them is the RIB's business.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/ip.hpp"

namespace petrel::bgp::wire {

enum class Origin : uint8_t { igp = 0, egp = 1, incomplete = 2 };

enum class AsSegmentType : uint8_t { set = 1, sequence = 2, confed_sequence = 3, confed_set = 4 };

struct AsPathSegment {
  AsSegmentType type = AsSegmentType::sequence;
  std::vector<uint32_t> asns;
  friend bool operator==(const AsPathSegment&, const AsPathSegment&) = default;
};

struct AsPath {
  std::vector<AsPathSegment> segments;

  // RFC 4271 §9.1.2.2 (a): a SEQUENCE counts each AS, a SET counts one, and
  // confederation segments count nothing (RFC 5065 §5.3).
  std::size_t length() const;
  // The neighbouring AS: the first AS of a leading SEQUENCE, if any.
  std::optional<uint32_t> first_as() const;
  // The originating AS: the last AS of a trailing SEQUENCE, if any.
  std::optional<uint32_t> origin_as() const;
  bool contains(uint32_t asn) const;
  // BIRD's notation: "64512 65001 {65002 65003} (64600)".
  std::string to_string() const;

  friend bool operator==(const AsPath&, const AsPath&) = default;
};

struct Aggregator {
  uint32_t asn = 0;
  uint32_t address = 0;  // an IPv4 address, host order
  friend bool operator==(const Aggregator&, const Aggregator&) = default;
};

using ExtendedCommunity = std::array<uint8_t, 8>;  // RFC 4360 §2, kept as bytes

struct LargeCommunity {  // RFC 8092 §3
  uint32_t global = 0;
  uint32_t local1 = 0;
  uint32_t local2 = 0;
  friend bool operator==(const LargeCommunity&, const LargeCommunity&) = default;
};

// An attribute Petrel does not interpret, kept to be passed on.
struct RawAttribute {
  uint8_t flags = 0;  // as received, with the Partial bit set (RFC 4271 §5) and no Extended Length bit
  uint8_t type = 0;
  std::vector<uint8_t> value;
  friend bool operator==(const RawAttribute&, const RawAttribute&) = default;
};

// Well-known communities (RFC 1997, RFC 8326).
namespace community {
inline constexpr uint32_t graceful_shutdown = 0xFFFF0000;  // RFC 8326
inline constexpr uint32_t llgr_stale = 0xFFFF0006;         // RFC 9494
inline constexpr uint32_t no_llgr = 0xFFFF0007;            // RFC 9494
inline constexpr uint32_t no_export = 0xFFFFFF01;
inline constexpr uint32_t no_advertise = 0xFFFFFF02;
inline constexpr uint32_t no_export_subconfed = 0xFFFFFF03;
}  // namespace community

struct PathAttributes {
  std::optional<Origin> origin;
  std::optional<AsPath> as_path;
  std::optional<IpAddress> next_hop;  // the IPv4 NEXT_HOP attribute
  std::optional<uint32_t> med;
  std::optional<uint32_t> local_pref;
  bool atomic_aggregate = false;
  std::optional<Aggregator> aggregator;
  std::vector<uint32_t> communities;
  std::optional<uint32_t> originator_id;  // RFC 4456, a router id
  std::vector<uint32_t> cluster_list;     // RFC 4456, cluster ids
  std::vector<ExtendedCommunity> ext_communities;
  std::vector<LargeCommunity> large_communities;
  std::vector<RawAttribute> unknown;

  friend bool operator==(const PathAttributes&, const PathAttributes&) = default;
};

std::string to_string(Origin o);
// "65000:100" for a standard community.
std::string community_to_string(uint32_t c);

}  // namespace petrel::bgp::wire
