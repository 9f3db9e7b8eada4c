// bgp/wire/update_packer.hpp — packs many prefixes into as few UPDATEs as the
// negotiated size limit allows (4096 bytes, or 65535 with RFC 8654).
//
// Announcements share one attribute set, encoded once and copied into each
// message: IPv4 unicast with an IPv4 next hop rides in the NLRI field (with the
// NEXT_HOP attribute from `attrs`); every other case rides in MP_REACH_NLRI with
// `mp_next_hop`, placed first (RFC 7606 §5.1). Withdrawals go in the withdrawn
// routes field or MP_UNREACH_NLRI. Messages are appended to `out` back to back,
// ready for a socket write. Pure, links only core/.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "bgp/wire/update.hpp"

namespace petrel::bgp::wire {

// Returns how many messages were written, or an error when the attributes leave
// no room for even one prefix (nothing is written then).
Result<std::size_t, Error> pack_announcements(Family family, const PathAttributes& attrs,
                                              const std::optional<MpNextHop>& mp_next_hop,
                                              std::span<const NlriEntry> nlri, const CodecContext& ctx,
                                              std::vector<uint8_t>& out);

std::size_t pack_withdrawals(Family family, std::span<const NlriEntry> nlri, const CodecContext& ctx,
                             std::vector<uint8_t>& out);

}  // namespace petrel::bgp::wire
