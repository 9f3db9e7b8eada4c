#include "bgp/wire/wire_error.hpp"

#include <ostream>
#include <string>

namespace petrel::bgp::wire {

std::string_view to_string(ErrorAction a) {
  switch (a) {
    case ErrorAction::none: return "none";
    case ErrorAction::attribute_discard: return "attribute-discard";
    case ErrorAction::treat_as_withdraw: return "treat-as-withdraw";
    case ErrorAction::afisafi_disable: return "afi-safi-disable";
    case ErrorAction::session_reset: return "session-reset";
  }
  return "?";
}

namespace {

std::string_view code_name(uint8_t code) {
  switch (code) {
    case err::header: return "Message Header Error";
    case err::open: return "OPEN Message Error";
    case err::update: return "UPDATE Message Error";
    case err::hold_timer_expired: return "Hold Timer Expired";
    case err::fsm: return "Finite State Machine Error";
    case err::cease: return "Cease";
    case err::route_refresh: return "ROUTE-REFRESH Message Error";
  }
  return "";
}

std::string_view subcode_name(uint8_t code, uint8_t sub) {
  static constexpr std::string_view header[] = {"", "Connection Not Synchronized", "Bad Message Length",
                                                "Bad Message Type"};
  static constexpr std::string_view open[] = {"Unspecific",
                                              "Unsupported Version Number",
                                              "Bad Peer AS",
                                              "Bad BGP Identifier",
                                              "Unsupported Optional Parameter",
                                              "",
                                              "Unacceptable Hold Time",
                                              "Unsupported Capability",
                                              "",
                                              "",
                                              "",
                                              "Role Mismatch"};
  static constexpr std::string_view update[] = {"Unspecific",
                                                "Malformed Attribute List",
                                                "Unrecognized Well-known Attribute",
                                                "Missing Well-known Attribute",
                                                "Attribute Flags Error",
                                                "Attribute Length Error",
                                                "Invalid ORIGIN Attribute",
                                                "",
                                                "Invalid NEXT_HOP Attribute",
                                                "Optional Attribute Error",
                                                "Invalid Network Field",
                                                "Malformed AS_PATH"};
  static constexpr std::string_view fsm[] = {"Unspecified", "Unexpected Message in OpenSent",
                                             "Unexpected Message in OpenConfirm",
                                             "Unexpected Message in Established"};
  static constexpr std::string_view cease[] = {"",
                                               "Maximum Number of Prefixes Reached",
                                               "Administrative Shutdown",
                                               "Peer De-configured",
                                               "Administrative Reset",
                                               "Connection Rejected",
                                               "Other Configuration Change",
                                               "Connection Collision Resolution",
                                               "Out of Resources",
                                               "Hard Reset",
                                               "BFD Down"};
  static constexpr std::string_view refresh[] = {"", "Invalid Message Length"};
  auto pick = [sub](const auto& table) -> std::string_view {
    return sub < std::size(table) ? table[sub] : std::string_view{};
  };
  switch (code) {
    case err::header: return pick(header);
    case err::open: return pick(open);
    case err::update: return pick(update);
    case err::fsm: return pick(fsm);
    case err::cease: return pick(cease);
    case err::route_refresh: return pick(refresh);
  }
  return "";
}

}  // namespace

std::string describe_code(uint8_t code, uint8_t subcode) {
  std::string out;
  const auto c = code_name(code);
  out = c.empty() ? "error code " + std::to_string(code) : std::string(c);
  const auto s = subcode_name(code, subcode);
  if (!s.empty()) {
    out += " / ";
    out += s;
  } else if (subcode != 0) {
    out += " / subcode " + std::to_string(subcode);
  }
  return out;
}

std::string to_string(const WireError& e) {
  std::string out = describe_code(e.code, e.subcode);
  if (!e.reason.empty()) out += ": " + e.reason;
  out += " (offset " + std::to_string(e.offset) + ", length " + std::to_string(e.length) + ", " +
         std::string(to_string(e.action)) + ")";
  return out;
}

std::ostream& operator<<(std::ostream& os, const WireError& e) { return os << to_string(e); }

}  // namespace petrel::bgp::wire
