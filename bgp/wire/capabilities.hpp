// bgp/wire/capabilities.hpp — BGP capabilities (RFC 5492) as typed values.
//
// decode_capability_list() reads the capabilities of one Capabilities optional
// parameter into a Capabilities value; encode_capabilities() writes them back.
// Unknown capability codes are kept verbatim in `unknown` and reported, never
// rejected (RFC 5492 §5). A known capability whose value has the wrong shape is a
// WireError (OPEN Message Error / Unspecific, RFC 4271 §6.2). Pure, links only core/.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bgp/wire/types.hpp"
#include "bgp/wire/wire_error.hpp"
#include "core/result.hpp"

namespace petrel::bgp::wire {

// RFC 4724 §3.
struct GracefulRestartFamily {
  AfiSafi afi_safi;
  bool forwarding_preserved = false;  // the F bit
  friend bool operator==(const GracefulRestartFamily&, const GracefulRestartFamily&) = default;
};
struct GracefulRestartCapability {
  bool restarting = false;     // the R bit
  bool notification = false;   // the N bit (RFC 8538)
  uint16_t restart_time = 0;   // seconds, 12 bits
  std::vector<GracefulRestartFamily> families;
  friend bool operator==(const GracefulRestartCapability&, const GracefulRestartCapability&) = default;
};

// RFC 9494 §3 (long-lived graceful restart).
struct LongLivedGrFamily {
  AfiSafi afi_safi;
  bool forwarding_preserved = false;
  uint32_t stale_time = 0;  // seconds, 24 bits
  friend bool operator==(const LongLivedGrFamily&, const LongLivedGrFamily&) = default;
};

// RFC 7911 §4.
enum class AddPathMode : uint8_t { receive = 1, send = 2, both = 3 };
struct AddPathFamily {
  AfiSafi afi_safi;
  AddPathMode mode = AddPathMode::both;
  friend bool operator==(const AddPathFamily&, const AddPathFamily&) = default;
};

// RFC 8950 §3.
struct ExtendedNextHop {
  uint16_t nlri_afi = 0;
  uint16_t nlri_safi = 0;
  uint16_t next_hop_afi = 0;
  friend bool operator==(const ExtendedNextHop&, const ExtendedNextHop&) = default;
};

// draft-walton-bgp-hostname-capability.
struct Hostname {
  std::string host;
  std::string domain;
  friend bool operator==(const Hostname&, const Hostname&) = default;
};

struct RawCapability {
  uint8_t code = 0;
  std::vector<uint8_t> value;
  friend bool operator==(const RawCapability&, const RawCapability&) = default;
};

struct Capabilities {
  std::vector<AfiSafi> multiprotocol;
  bool route_refresh = false;
  bool enhanced_route_refresh = false;
  std::optional<uint32_t> four_octet_as;
  std::optional<GracefulRestartCapability> graceful_restart;
  std::optional<std::vector<LongLivedGrFamily>> long_lived_gr;
  std::vector<AddPathFamily> add_path;
  bool extended_message = false;
  std::vector<ExtendedNextHop> extended_next_hop;
  std::optional<Hostname> hostname;
  std::vector<RawCapability> unknown;  // kept and reported, never rejected

  friend bool operator==(const Capabilities&, const Capabilities&) = default;
};

// Decodes the capabilities inside one Capabilities optional parameter (type 2) and
// merges them into `into`. `base_offset` is the offset of `value` in the message,
// so that errors point at the right bytes.
Result<void, WireError> decode_capability_list(std::span<const uint8_t> value, uint32_t base_offset,
                                               Capabilities& into);

// Appends each capability as <code, length, value>, in code order, unknown ones
// last. A list longer than one value can hold (ADD-PATH, extended next hop) is
// split over several capabilities of the same code; a host name and domain are
// cut to fit together in 255 bytes.
void encode_capabilities(const Capabilities& caps, std::vector<uint8_t>& out);

}  // namespace petrel::bgp::wire
