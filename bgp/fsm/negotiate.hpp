// bgp/fsm/negotiate.hpp — what a session agrees on from two OPEN messages.
//
// SessionSettings says what this side offers and expects of one peer;
// build_local_open() turns it into our OPEN. negotiate() checks the peer's OPEN
// against it (RFC 4271 §6.2 peer AS and identifier, RFC 6793 §4.1 AS_TRANS,
// RFC 5492 §5 capabilities) and returns what both support, or the NOTIFICATION
// to send. Pure: no I/O, no clock.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bgp/wire/codec_context.hpp"
#include "bgp/wire/notification.hpp"
#include "bgp/wire/open.hpp"
#include "core/result.hpp"

namespace petrel::bgp::fsm {

// Which AS the peer must have: a number, or "internal" / "external" (any AS equal
// to, or different from, ours).
struct RemoteAs {
  enum class Kind : uint8_t { exact, internal, external } kind = Kind::exact;
  uint32_t asn = 0;
  static RemoteAs exact_as(uint32_t asn) { return {Kind::exact, asn}; }
  static RemoteAs internal() { return {Kind::internal, 0}; }
  static RemoteAs external() { return {Kind::external, 0}; }
  bool accepts(uint32_t peer_as, uint32_t local_as) const;
  friend bool operator==(const RemoteAs&, const RemoteAs&) = default;
};

struct GracefulRestartSettings {
  uint16_t restart_time = 120;       // seconds, what we ask peers to wait for us
  bool restarting = false;           // the R bit: we are coming back from a restart
  std::array<bool, wire::kFamilyCount> forwarding_preserved{};  // the F bit, per family we announce
  std::optional<uint32_t> long_lived_stale_time;  // RFC 9494, seconds
  friend bool operator==(const GracefulRestartSettings&, const GracefulRestartSettings&) = default;
};

struct SessionSettings {
  uint32_t local_as = 0;
  uint32_t router_id = 0;  // our BGP identifier, host order
  RemoteAs remote_as;
  uint16_t hold_time = 90;  // seconds we offer; 0 disables keepalives
  uint16_t keepalive_time = 0;  // 0: a third of the negotiated hold time
  std::vector<wire::Family> families{wire::Family::ipv4_unicast};
  std::array<bool, wire::kFamilyCount> add_path_receive{};
  std::array<bool, wire::kFamilyCount> add_path_send{};
  std::optional<GracefulRestartSettings> graceful_restart;
  bool extended_message = true;
  bool extended_next_hop = false;  // RFC 8950, IPv4 unicast over an IPv6 next hop
  bool route_refresh = true;
  std::optional<wire::Hostname> hostname;

  friend bool operator==(const SessionSettings&, const SessionSettings&) = default;
};

// What the peer said about graceful restart (RFC 4724 §3, RFC 9494).
struct PeerGracefulRestart {
  bool restarting = false;
  bool notification = false;  // RFC 8538
  uint16_t restart_time = 0;
  std::array<bool, wire::kFamilyCount> forwarding_preserved{};  // per family, when announced
  std::array<bool, wire::kFamilyCount> announced{};
  std::array<std::optional<uint32_t>, wire::kFamilyCount> long_lived_stale_time{};
};

struct Negotiated {
  uint32_t peer_as = 0;
  uint32_t peer_router_id = 0;
  bool external = false;
  uint16_t hold_time = 0;       // seconds; 0: no hold timer, no keepalives
  uint16_t keepalive_time = 0;  // seconds
  std::array<bool, wire::kFamilyCount> families{};
  bool four_octet_as = false;
  std::array<bool, wire::kFamilyCount> add_path_receive{};
  std::array<bool, wire::kFamilyCount> add_path_send{};
  bool extended_message = false;
  bool ipv4_with_ipv6_next_hop = false;
  bool route_refresh = false;
  bool enhanced_route_refresh = false;
  std::optional<PeerGracefulRestart> graceful_restart;
  std::optional<wire::Hostname> peer_hostname;
  std::vector<wire::RawCapability> unknown_capabilities;  // kept and reported

  // The codec context for decoding what the peer sends and encoding what we send.
  wire::CodecContext codec_context() const;
};

wire::OpenMessage build_local_open(const SessionSettings& s);

// Checks `remote` against `s` and `local` (the OPEN we sent).
Result<Negotiated, wire::NotificationMessage> negotiate(const SessionSettings& s, const wire::OpenMessage& local,
                                                        const wire::OpenMessage& remote);

}  // namespace petrel::bgp::fsm
