// bgp/fsm/collision.hpp — connection collision detection (RFC 4271 §6.8).
//
// When both speakers open a connection to each other at once, the connection
// initiated by the speaker with the higher BGP Identifier survives. A connection
// already in Established always wins against a newcomer. Pure.
#pragma once

#include <cstdint>

namespace petrel::bgp::fsm {

enum class Initiator : uint8_t { local, remote };

// Which of two colliding connections to keep, by who initiated it.
// RFC 4271 §6.8: compare the identifiers as 4-octet unsigned integers in host order.
inline Initiator surviving_connection(uint32_t local_id, uint32_t remote_id) {
  return local_id > remote_id ? Initiator::local : Initiator::remote;
}

}  // namespace petrel::bgp::fsm
