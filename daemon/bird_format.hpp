// daemon/bird_format.hpp — the shell's tables, laid out as BIRD 2 prints them
// (so birdc users, calicoctl-style parsers and bird_exporter read them), and the
// same rows as JSON (Petrel's `json` command prefix). Pure: rows in, Reply out.
//
// Layouts follow BIRD 2.0.12's output as captured from a running BIRD:
//   show protocols:  "%-10s %-10s %-10s %-6s %-12s  %s" (code 2002 heading, 1002 rows),
//                    `all` adds code-1006 detail lines, indented, ending in a blank line;
//   show route:      "Table master4:" then "%-20s %s [%s %s] * (%d) [AS%ui]" and
//                    "\tvia ADDR on IFACE" lines (code 1007), `all` adds "\tType: …"
//                    (1008) and "\tBGP.attr: value" lines (1012);
//   show status:     1000 version, 1011 router id and times, 0013 final line;
//   show bfd sessions: "NAME:" then "%-25s %-10s %-10s %-12s  %8s %8s" heading and
//                    rows with the interval and timeout in seconds ("%7.3f"), code 1020.
// Times are local time, ISO "YYYY-MM-DD HH:MM:SS" (BIRD's `timeformat protocol iso
// long`), routes' times "HH:MM:SS.mmm" (BIRD's default for routes).
#pragma once

#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "daemon/control_reply.hpp"

namespace petrel::daemon {

using SystemTime = std::chrono::system_clock::time_point;

struct StatusInfo {
  std::string version;
  uint32_t router_id = 0;
  std::string hostname;
  SystemTime now, started, reconfigured;
  bool graceful_restart_deferring = false;  // Petrel: selection waits for End-of-RIB
  bool draining = false;                    // Petrel: `drain` (RFC 8326) is on
};

struct ProtocolRow {
  std::string name;
  std::string proto;   // "BGP", "Static"
  std::string table;   // "---" for BGP (as BIRD prints it), "master4" for static
  std::string state;   // "up", "start", "down"
  SystemTime since;
  std::string info;    // BGP: the session state, padded to 14, then the last error
  std::vector<std::string> details;  // `all`: detail lines without their indentation
  boost::json::object json;          // everything, for `json show protocols`
};

struct RouteRow {
  std::string prefix;
  std::string type = "unicast";      // "unicast", "blackhole"
  std::string proto;                 // protocol (peer) name, "static"
  SystemTime when;
  bool primary = false;              // the best path: '*'
  int preference = 100;
  std::string info;                  // " [AS65002i]" for BGP
  std::vector<std::string> vias;     // "via 10.9.0.2 on v0"
  std::string type_detail;           // `all`: "BGP univ", "static univ"
  std::vector<std::string> attributes;  // `all`: "BGP.origin: IGP", …, "Petrel.best_path: …"
  boost::json::object json;
};

struct BfdRow {
  std::string address;
  std::string interface;   // "---" when not known (multihop)
  std::string state;       // "AdminDown", "Down", "Init", "Up"
  SystemTime since;
  double interval_s = 0;   // negotiated transmit interval; 0 before the first packet
  double timeout_s = 0;    // detection time
  boost::json::object json;
};

struct RouteTable {
  std::string name;  // "master4", "master6"
  std::vector<RouteRow> rows;
  std::size_t networks = 0;  // for `count`
};

std::string format_since(SystemTime t);       // "2026-11-21 20:31:18"
std::string format_route_time(SystemTime t);  // "20:31:18.360"

Reply show_status(const StatusInfo& s);
Reply show_protocols(const std::vector<ProtocolRow>& rows, bool all);
// "Network not found" (8001) when every table is empty and a prefix or address was asked for.
Reply show_routes(const std::vector<RouteTable>& tables, bool all, bool asked_for_one);
Reply show_route_count(const std::vector<RouteTable>& tables);
// `protocol`: the heading BIRD prints its BFD protocol's name in.
Reply show_bfd_sessions(const std::string& protocol, const std::vector<BfdRow>& rows);

// The JSON forms: one document per command, sent as code-1100 lines.
Reply json_reply(const boost::json::value& document);
boost::json::value status_json(const StatusInfo& s);
boost::json::value protocols_json(const std::vector<ProtocolRow>& rows);
boost::json::value routes_json(const std::vector<RouteTable>& tables);
boost::json::value bfd_sessions_json(const std::vector<BfdRow>& rows);

}  // namespace petrel::daemon
