// bgp/wire/update.hpp — the UPDATE message (RFC 4271 §4.3, RFC 4760).
//
// decode_update() splits an UPDATE into its withdrawn routes, path attributes and
// NLRI, plus MP_REACH_NLRI / MP_UNREACH_NLRI, following RFC 7606: every problem is
// recorded in `errors` with its NOTIFICATION code/subcode, offset, length and
// action, and `action` holds the strongest one. Only a session reset comes back as
// the error of the Result (the NOTIFICATION to send); with treat-as-withdraw, the
// caller withdraws every prefix the UPDATE announces. NLRI are views into the
// caller's buffer (valid while it lives); no allocation happens per prefix.
//
// The encoders write whole messages: encode_update() one message from owned parts
// (for tests and tools), the packers as few messages as the size limit allows
// (update_packer.hpp). Pure, links only core/.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "bgp/wire/codec_context.hpp"
#include "bgp/wire/nlri.hpp"
#include "bgp/wire/path_attributes.hpp"
#include "bgp/wire/wire_error.hpp"
#include "core/result.hpp"

namespace petrel::bgp::wire {

// The next hop carried in MP_REACH_NLRI: an IPv4 or IPv6 global address, and for
// IPv6 optionally a link-local one (RFC 2545 §3).
struct MpNextHop {
  IpAddress global;
  std::optional<IpAddress> link_local;
  friend bool operator==(const MpNextHop&, const MpNextHop&) = default;
};

struct MpReach {
  Family family = Family::ipv6_unicast;
  MpNextHop next_hop;
  NlriView nlri;
};

struct MpUnreach {
  Family family = Family::ipv6_unicast;
  NlriView nlri;
};

struct Update {
  NlriView withdrawn;  // IPv4 unicast withdrawn routes
  PathAttributes attrs;
  NlriView nlri;  // IPv4 unicast announced routes
  std::optional<MpReach> mp_reach;
  std::optional<MpUnreach> mp_unreach;

  ErrorAction action = ErrorAction::none;  // the strongest of errors[].action
  std::vector<WireError> errors;           // every problem found, in order
  std::optional<AfiSafi> disabled_family;  // with afisafi_disable: which one
  std::size_t attribute_count = 0;         // attributes present on the wire

  // RFC 4724 §2: the End-of-RIB marker of this family, if that is what this is.
  std::optional<Family> end_of_rib() const;
  // True when the UPDATE announces anything (IPv4 NLRI or MP_REACH_NLRI).
  bool has_announcements() const { return !nlri.empty() || (mp_reach && !mp_reach->nlri.empty()); }
};

Result<Update, WireError> decode_update(std::span<const uint8_t> message, const CodecContext& ctx);
// The same into a caller-owned Update reused message after message: its vectors
// keep their capacity, so a session decoding a stream allocates almost nothing.
// On a session-reset error `out` holds what was decoded before it.
Result<void, WireError> decode_update(std::span<const uint8_t> message, const CodecContext& ctx, Update& out);
// The Update's NLRI views would point into a temporary: refused at compile time.
Result<Update, WireError> decode_update(std::vector<uint8_t>&& message, const CodecContext& ctx) = delete;
Result<void, WireError> decode_update(std::vector<uint8_t>&& message, const CodecContext& ctx, Update& out) = delete;

// An UPDATE built from owned parts.
struct MpReachMessage {
  Family family = Family::ipv6_unicast;
  MpNextHop next_hop;
  std::vector<NlriEntry> nlri;
  friend bool operator==(const MpReachMessage&, const MpReachMessage&) = default;
};
struct MpUnreachMessage {
  Family family = Family::ipv6_unicast;
  std::vector<NlriEntry> nlri;
  friend bool operator==(const MpUnreachMessage&, const MpUnreachMessage&) = default;
};
struct UpdateMessage {
  std::vector<NlriEntry> withdrawn;
  PathAttributes attrs;
  std::vector<NlriEntry> nlri;
  std::optional<MpReachMessage> mp_reach;
  std::optional<MpUnreachMessage> mp_unreach;
  friend bool operator==(const UpdateMessage&, const UpdateMessage&) = default;
};

// Copies a decoded Update's contents into owned parts.
UpdateMessage to_message(const Update& u);

// Appends one whole UPDATE; an error when it would exceed ctx.max_message_size().
Result<void, Error> encode_update(const UpdateMessage& m, const CodecContext& ctx, std::vector<uint8_t>& out);

// Appends the path attributes (MP ones excluded) in type order, as the codec
// sends them: AS4_PATH / AS4_AGGREGATOR are added for a 2-octet peer when needed.
void encode_path_attributes(const PathAttributes& attrs, const CodecContext& ctx, std::vector<uint8_t>& out);

// Appends the End-of-RIB marker of `family` (RFC 4724 §2).
void encode_end_of_rib(Family family, std::vector<uint8_t>& out);

}  // namespace petrel::bgp::wire
