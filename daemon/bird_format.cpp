// daemon/bird_format.cpp — see bird_format.hpp.
#include "daemon/bird_format.hpp"

#include <boost/json/serialize.hpp>

#include <cstdio>
#include <ctime>

#include "core/ip.hpp"

namespace petrel::daemon {

namespace {

std::tm local(SystemTime t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  localtime_r(&tt, &tm);
  return tm;
}

}  // namespace

std::string format_since(SystemTime t) {
  const std::tm tm = local(t);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::string format_route_time(SystemTime t) {
  const std::tm tm = local(t);
  char buf[32];
  std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() % 1000;
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03d", buf, static_cast<int>(ms));
  return out;
}

Reply show_status(const StatusInfo& s) {
  Reply r;
  r.line(reply_code::version, "Petrel " + s.version);
  r.line(reply_code::router_id, "Router ID is " + IpAddress::v4(s.router_id).to_string());
  r.line(reply_code::router_id, "Hostname is " + s.hostname);
  r.line(reply_code::router_id, "Current server time is " + format_since(s.now));
  r.line(reply_code::router_id, "Last reboot on " + format_since(s.started));
  r.line(reply_code::router_id, "Last reconfiguration on " + format_since(s.reconfigured));
  if (s.graceful_restart_deferring) r.line(reply_code::router_id, "Graceful restart recovery in progress");
  if (s.draining) r.line(reply_code::router_id, "Draining: routes sent with GRACEFUL_SHUTDOWN (RFC 8326)");
  r.end(reply_code::status_report, "Daemon is up and running");
  return r;
}

Reply show_protocols(const std::vector<ProtocolRow>& rows, bool all) {
  Reply r;
  char line[512];
  std::snprintf(line, sizeof line, "%-10s %-10s %-10s %-6s %-12s  %s", "Name", "Proto", "Table", "State", "Since", "Info");
  r.line(reply_code::protocol_heading, line);
  for (const ProtocolRow& p : rows) {
    std::snprintf(line, sizeof line, "%-10s %-10s %-10s %-6s %-12s  %s", p.name.c_str(), p.proto.c_str(),
                  p.table.c_str(), p.state.c_str(), format_since(p.since).c_str(), p.info.c_str());
    r.line(reply_code::protocol_list, line);
    if (!all) continue;
    for (const std::string& d : p.details) r.line(reply_code::protocol_details, "  " + d);
    r.line(reply_code::protocol_details, "");
  }
  return r;
}

Reply show_routes(const std::vector<RouteTable>& tables, bool all, bool asked_for_one) {
  bool any = false;
  for (const RouteTable& t : tables) any = any || !t.rows.empty();
  if (!any && asked_for_one) return Reply::error(reply_code::runtime_error, "Network not found");
  Reply r;
  char line[512];
  for (const RouteTable& t : tables) {
    if (t.rows.empty()) continue;
    r.line(reply_code::route_list, "Table " + t.name + ":");
    for (const RouteRow& row : t.rows) {
      std::snprintf(line, sizeof line, "%-20s %s [%s %s]%s (%d)%s", row.prefix.c_str(), row.type.c_str(),
                    row.proto.c_str(), format_route_time(row.when).c_str(), row.primary ? " *" : "", row.preference,
                    row.info.c_str());
      r.line(reply_code::route_list, line);
      for (const std::string& v : row.vias) r.line(reply_code::route_list, "\t" + v);
      if (!all) continue;
      r.line(reply_code::route_details, "\tType: " + row.type_detail);
      for (const std::string& a : row.attributes) r.line(reply_code::route_attributes, "\t" + a);
    }
  }
  return r;
}

Reply show_route_count(const std::vector<RouteTable>& tables) {
  Reply r;
  std::size_t routes = 0, networks = 0;
  for (const RouteTable& t : tables) {
    r.line(reply_code::route_list, std::to_string(t.rows.size()) + " of " + std::to_string(t.rows.size()) +
                                       " routes for " + std::to_string(t.networks) + " networks in table " + t.name);
    routes += t.rows.size();
    networks += t.networks;
  }
  r.end(reply_code::route_count, "Total: " + std::to_string(routes) + " of " + std::to_string(routes) + " routes for " +
                                     std::to_string(networks) + " networks in " + std::to_string(tables.size()) +
                                     " tables");
  return r;
}

Reply json_reply(const boost::json::value& document) {
  Reply r;
  r.lines(reply_code::json, boost::json::serialize(document));
  return r;
}

boost::json::value status_json(const StatusInfo& s) {
  return boost::json::object{{"version", s.version},
                             {"router_id", IpAddress::v4(s.router_id).to_string()},
                             {"hostname", s.hostname},
                             {"server_time", format_since(s.now)},
                             {"last_reboot", format_since(s.started)},
                             {"last_reconfiguration", format_since(s.reconfigured)},
                             {"graceful_restart_deferring", s.graceful_restart_deferring},
                             {"draining", s.draining}};
}

boost::json::value protocols_json(const std::vector<ProtocolRow>& rows) {
  boost::json::array a;
  for (const ProtocolRow& p : rows) {
    boost::json::object o = p.json;
    o["name"] = p.name;
    o["proto"] = p.proto;
    o["state"] = p.state;
    o["since"] = format_since(p.since);
    a.push_back(std::move(o));
  }
  return boost::json::object{{"protocols", std::move(a)}};
}

boost::json::value routes_json(const std::vector<RouteTable>& tables) {
  boost::json::object out;
  for (const RouteTable& t : tables) {
    boost::json::array a;
    for (const RouteRow& r : t.rows) {
      boost::json::object o = r.json;
      o["prefix"] = r.prefix;
      o["type"] = r.type;
      o["protocol"] = r.proto;
      o["primary"] = r.primary;
      boost::json::array vias;
      for (const auto& v : r.vias) vias.push_back(boost::json::string(v));
      o["via"] = std::move(vias);
      a.push_back(std::move(o));
    }
    out[t.name] = std::move(a);
  }
  return out;
}

// BIRD 2.0.12 proto/bfd/bfd.c, bfd_show_sessions().
Reply show_bfd_sessions(const std::string& protocol, const std::vector<BfdRow>& rows) {
  Reply r;
  r.line(reply_code::bfd_sessions, protocol + ":");
  char line[256];
  std::snprintf(line, sizeof line, "%-25s %-10s %-10s %-12s  %8s %8s", "IP address", "Interface", "State", "Since",
                "Interval", "Timeout");
  r.line(reply_code::bfd_sessions, line);
  for (const BfdRow& b : rows) {
    std::snprintf(line, sizeof line, "%-25s %-10s %-10s %-12s  %7.3f  %7.3f", b.address.c_str(), b.interface.c_str(),
                  b.state.c_str(), format_since(b.since).c_str(), b.interval_s, b.timeout_s);
    r.line(reply_code::bfd_sessions, line);
  }
  return r;
}

boost::json::value bfd_sessions_json(const std::vector<BfdRow>& rows) {
  boost::json::array a;
  for (const BfdRow& b : rows) a.push_back(b.json);
  return boost::json::object{{"bfd_sessions", std::move(a)}};
}

}  // namespace petrel::daemon
