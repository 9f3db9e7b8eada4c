// bgp/wire/codec_context.hpp — what the session negotiated, handed to every codec
// call as an explicit argument. The codec keeps no state and reads no globals; the
// same bytes decode differently only because the context says so.
#pragma once

#include <array>
#include <cstddef>

#include "bgp/wire/types.hpp"

namespace petrel::bgp::wire {

struct CodecContext {
  // RFC 6793: AS numbers in AS_PATH and AGGREGATOR are four octets. When false,
  // they are two octets and AS4_PATH / AS4_AGGREGATOR carry the real ones.
  bool four_octet_as = true;
  // RFC 8654: messages other than OPEN and KEEPALIVE may be up to 65535 bytes.
  bool extended_message = false;
  // RFC 7911: NLRI of this family carry a path identifier, per direction.
  std::array<bool, kFamilyCount> add_path_receive{};
  std::array<bool, kFamilyCount> add_path_send{};
  // RFC 8950: IPv4 unicast NLRI may come with an IPv6 next hop in MP_REACH_NLRI.
  bool ipv4_with_ipv6_next_hop = false;
  // The peer is external (eBGP): LOCAL_PREF, ORIGINATOR_ID and CLUSTER_LIST from it
  // are discarded (RFC 7606 §7.5, §7.9, §7.10).
  bool external_peer = false;

  std::size_t max_message_size() const {
    return extended_message ? kMaxExtendedMessageSize : kMaxMessageSize;
  }
};

}  // namespace petrel::bgp::wire
