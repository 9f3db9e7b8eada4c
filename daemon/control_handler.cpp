// daemon/control_handler.cpp — see control_handler.hpp.
#include "daemon/control_handler.hpp"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>

#include <boost/json/value_from.hpp>

#include "daemon/bird_format.hpp"
#include "rib/best_path.hpp"

namespace petrel::daemon {

namespace wire = bgp::wire;
namespace fsm = bgp::fsm;

namespace {

std::string hostname() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "?";
  return buf;
}

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

// The address and prefix length of an interface address entry, if IPv4/IPv6.
std::optional<Prefix> interface_prefix(const ifaddrs& i) {
  if (!i.ifa_addr || !i.ifa_netmask) return std::nullopt;
  if (i.ifa_addr->sa_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(i.ifa_addr);
    const auto* m = reinterpret_cast<const sockaddr_in*>(i.ifa_netmask);
    return Prefix::make(IpAddress::v4(ntohl(a->sin_addr.s_addr)),
                        static_cast<uint8_t>(__builtin_popcount(m->sin_addr.s_addr)));
  }
  if (i.ifa_addr->sa_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(i.ifa_addr);
    const auto* m = reinterpret_cast<const sockaddr_in6*>(i.ifa_netmask);
    int len = 0;
    for (uint8_t b : m->sin6_addr.s6_addr) len += __builtin_popcount(b);
    return Prefix::make(IpAddress::v6_bytes(a->sin6_addr.s6_addr), static_cast<uint8_t>(len));
  }
  return std::nullopt;
}

// The connected subnets and their interfaces, read once per command (for "via A
// on IFACE"): one getifaddrs() per `show route`, not one per route.
class ConnectedSubnets {
 public:
  ConnectedSubnets() {
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) != 0) return;
    for (ifaddrs* i = list; i; i = i->ifa_next)
      if (auto p = interface_prefix(*i)) subnets_.emplace_back(*p, i->ifa_name);
    freeifaddrs(list);
  }
  std::string interface_for(const IpAddress& a) const {
    for (const auto& [prefix, name] : subnets_)
      if (prefix.contains(a)) return name;
    return "";
  }

 private:
  std::vector<std::pair<Prefix, std::string>> subnets_;
};

double seconds(bfd::Micros m) { return static_cast<double>(m.count()) / 1e6; }

boost::json::object bfd_json(const bfd::SessionView& v) {
  return {{"address", v.peer.to_string()},
          {"state", std::string(bfd::to_string(v.state))},
          {"remote_state", std::string(bfd::to_string(v.remote_state))},
          {"diagnostic", std::string(bfd::to_string(v.diag))},
          {"multihop", v.multihop},
          {"local_discriminator", v.local_discriminator},
          {"remote_discriminator", v.remote_discriminator},
          {"remote_control_plane_independent", v.remote_control_plane_independent},
          {"interval_s", seconds(v.tx_interval)},
          {"timeout_s", seconds(v.detection_time)},
          {"configured_interval_ms", std::chrono::duration_cast<std::chrono::milliseconds>(v.settings.desired_min_tx).count()},
          {"multiplier", v.settings.detect_mult},
          {"packets_received", v.packets_in},
          {"packets_sent", v.packets_out}};
}

std::string community_text(uint32_t c) { return "(" + std::to_string(c >> 16) + "," + std::to_string(c & 0xFFFF) + ")"; }

// BIRD's " [AS65002i]": the originating AS and the ORIGIN letter.
std::string bgp_info(const wire::PathAttributes& a) {
  const char origin = !a.origin || *a.origin == wire::Origin::igp ? 'i' : *a.origin == wire::Origin::egp ? 'e' : '?';
  std::optional<uint32_t> as = a.as_path ? a.as_path->origin_as() : std::nullopt;
  return " [" + (as ? "AS" + std::to_string(*as) : std::string()) + origin + "]";
}

bool matches(const CommunityFilter& f, const wire::PathAttributes& a) {
  for (uint32_t c : f.communities)
    if (std::find(a.communities.begin(), a.communities.end(), c) != a.communities.end()) return true;
  for (const auto& l : f.large_communities)
    for (const auto& have : a.large_communities)
      if (have.global == l[0] && have.local1 == l[1] && have.local2 == l[2]) return true;
  return false;
}

// BIRD's protocol state column for a BGP session.
std::string bird_state(const PeerView& p) {
  if (!p.enabled) return "down";
  return p.state == fsm::State::established ? "up" : "start";
}

}  // namespace

ControlHandler::ControlHandler(BgpSpeaker& speaker, Hooks hooks, std::string version)
    : speaker_(speaker), hooks_(std::move(hooks)), version_(std::move(version)) {}

Reply ControlHandler::handle(std::string_view line, bool read_only) {
  auto parsed = parse_command(line);
  if (!parsed) return Reply::error(reply_code::parse_error, parsed.error());
  const Command& c = *parsed;
  if (read_only && c.changes_state()) return Reply::error(reply_code::access_restricted, "Access restricted");
  // Show commands build their own JSON documents; every action answers `json`
  // in one shape, made here from its text reply (control_reply.hpp).
  if (c.json && !c.is_show()) return action_json(dispatch(c));
  return dispatch(c);
}

Reply ControlHandler::dispatch(const Command& c) {
  switch (c.verb) {
    case Command::Verb::show_status: return show_status(c);
    case Command::Verb::show_protocols: return show_protocols(c);
    case Command::Verb::show_route: return show_route(c);
    case Command::Verb::show_interfaces: return show_interfaces(c);
    case Command::Verb::show_memory: return show_memory(c);
    case Command::Verb::show_counters: return show_counters(c);
    case Command::Verb::show_bfd_sessions: return show_bfd_sessions(c);
    case Command::Verb::show_fib:
      if (hooks_.show_fib) return hooks_.show_fib(c);
      return Reply::error(reply_code::runtime_error, "FIB not available");
    case Command::Verb::show_route_history:
    case Command::Verb::mrt_dump:
      if (hooks_.store) return hooks_.store(c);
      return Reply::error(reply_code::runtime_error, "The store is not available");
    case Command::Verb::show_k8s:
      if (hooks_.show_k8s) return hooks_.show_k8s(c);
      return Reply::error(reply_code::runtime_error, "Kubernetes view not available");
    case Command::Verb::configure:
      if (hooks_.configure) return hooks_.configure(c);
      return Reply::error(reply_code::runtime_error, "reconfiguration not available");
    case Command::Verb::down:
      if (hooks_.down) hooks_.down();
      return Reply().end(reply_code::shutdown_ordered, "Shutdown requested");
    case Command::Verb::drain: return drain(c);
    default: return act(c);
  }
}

Reply ControlHandler::show_status(const Command& c) {
  StatusInfo s;
  s.version = version_;
  s.router_id = speaker_.config().router_id;
  s.hostname = hostname();
  s.now = std::chrono::system_clock::now();
  s.started = speaker_.started();
  s.reconfigured = speaker_.last_reconfigured();
  s.graceful_restart_deferring = speaker_.deferring();
  s.draining = speaker_.draining();
  if (c.json) return json_reply(status_json(s));
  return daemon::show_status(s);
}

Reply ControlHandler::show_protocols(const Command& c) {
  std::vector<ProtocolRow> rows;
  if (c.name.empty() || c.name == "static") {
    ProtocolRow st;
    st.name = "static";
    st.proto = "Static";
    st.table = "master4";
    st.state = "up";
    st.since = speaker_.started();
    st.details = {"Channel ipv4", "  State:          UP", "  Table:          master4", "  Preference:     200",
                  "  Routes:         " + std::to_string(speaker_.config().originate.size()) + " imported, 0 exported"};
    st.json = {{"originated", speaker_.config().originate.size()}};
    rows.push_back(std::move(st));
  }
  for (const PeerView& p : speaker_.peers()) {
    if (!c.name.empty() && c.name != p.name) continue;
    ProtocolRow r;
    r.name = p.name;
    r.proto = "BGP";
    r.table = "---";
    r.state = bird_state(p);
    r.since = p.since;
    const std::string state_name(fsm::to_string(p.state));
    std::string error = p.stats.last_error.value_or("");
    r.info = p.state == fsm::State::established ? pad(state_name, 14) : pad(state_name, 14) + error;
    const PeerConfig* pc = speaker_.config().peer(p.config_name);
    const std::string in_filter = pc && !pc->import_policy.empty() ? pc->import_policy : "ACCEPT";
    const std::string out_filter = pc && !pc->export_policy.empty() ? pc->export_policy : "ACCEPT";
    auto& d = r.details;
    d.push_back("BGP state:          " + state_name);
    d.push_back("  Neighbor address: " + p.address.to_string());
    if (pc && pc->remote_as_kind == RemoteAsKind::exact) d.push_back("  Neighbor AS:      " + std::to_string(pc->remote_as));
    else if (p.negotiated) d.push_back("  Neighbor AS:      " + std::to_string(p.negotiated->peer_as));
    d.push_back("  Local AS:         " + std::to_string(speaker_.config().local_as));
    if (p.negotiated) {
      const auto& n = *p.negotiated;
      d.push_back("  Neighbor ID:      " + IpAddress::v4(n.peer_router_id).to_string());
      d.push_back(std::string("  Session:          ") + (n.external ? "external" : "internal") +
                  (pc && pc->route_reflector_client ? " route-reflector" : "") + (n.four_octet_as ? " AS4" : ""));
      if (p.local_address) d.push_back("  Source address:   " + p.local_address->to_string());
      d.push_back("  Hold timer:       " + std::to_string(n.hold_time));
      d.push_back("  Keepalive timer:  " + std::to_string(n.keepalive_time));
    } else if (!p.last_reason.empty()) {
      d.push_back("  Last error:       " + (error.empty() ? p.last_reason : error));
    }
    for (auto f : pc ? pc->families : std::vector<wire::Family>{}) {
      const bool up = p.negotiated && p.negotiated->families[wire::index(f)];
      d.push_back(std::string("Channel ") + (f == wire::Family::ipv4_unicast ? "ipv4" : "ipv6"));
      d.push_back(std::string("  State:          ") + (up ? "UP" : "DOWN"));
      d.push_back(std::string("  Table:          ") + (f == wire::Family::ipv4_unicast ? "master4" : "master6"));
      d.push_back("  Preference:     100");
      d.push_back("  Input filter:   " + in_filter);
      d.push_back("  Output filter:  " + out_filter);
      if (up)
        d.push_back("  Routes:         " + std::to_string(p.import.prefixes) + " imported, " +
                    std::to_string(p.routes_advertised) + " exported");
    }
    // Petrel's additions (bird_exporter ignores lines it does not know).
    d.push_back("Petrel counters");
    d.push_back("  Messages:       " + std::to_string(p.stats.in.total()) + " received, " +
                std::to_string(p.stats.out.total()) + " sent");
    d.push_back("  Updates:        " + std::to_string(p.stats.in[wire::MessageType::update]) + " received, " +
                std::to_string(p.stats.out[wire::MessageType::update]) + " sent");
    d.push_back("  Flaps:          " + std::to_string(p.stats.flaps));
    if (p.graceful_restart_stale) d.push_back("  Graceful restart: routes kept stale");
    if (p.waited_at_restart)
      d.push_back(std::string("  Graceful restart: waited for at restart: ") + (*p.waited_at_restart ? "yes" : "no") +
                  " (" + p.restart_wait_reason + ")");
    if (p.bfd) {
      char bfd_line[160];
      std::snprintf(bfd_line, sizeof bfd_line, "  BFD session:    %s, interval %.3f s, timeout %.3f s (%s)",
                    std::string(bfd::to_string(p.bfd->state)).c_str(), seconds(p.bfd->tx_interval),
                    seconds(p.bfd->detection_time), std::string(bfd::to_string(p.bfd->diag)).c_str());
      d.push_back(bfd_line);
    }
    r.json = {{"neighbor_address", p.address.to_string()},
              {"bgp_state", state_name},
              {"enabled", p.enabled},
              {"last_error", error},
              {"routes_imported", p.import.prefixes},
              {"routes_exported", p.routes_advertised},
              {"messages_received", p.stats.in.total()},
              {"messages_sent", p.stats.out.total()},
              {"updates_received", p.stats.in[wire::MessageType::update]},
              {"updates_sent", p.stats.out[wire::MessageType::update]},
              {"flaps", p.stats.flaps},
              {"graceful_restart_stale", p.graceful_restart_stale}};
    if (p.bfd) r.json["bfd"] = bfd_json(*p.bfd);
    if (p.waited_at_restart) {
      r.json["waited_for_at_restart"] = *p.waited_at_restart;
      r.json["restart_wait_reason"] = p.restart_wait_reason;
    }
    if (p.negotiated) {
      r.json["neighbor_as"] = p.negotiated->peer_as;
      r.json["neighbor_id"] = IpAddress::v4(p.negotiated->peer_router_id).to_string();
      r.json["external"] = p.negotiated->external;
      r.json["hold_time"] = p.negotiated->hold_time;
    }
    rows.push_back(std::move(r));
  }
  if (rows.empty()) return Reply::error(reply_code::no_protocols, "No protocols match");
  if (c.json) return json_reply(protocols_json(rows));
  return daemon::show_protocols(rows, c.all);
}

Reply ControlHandler::show_route(const Command& c) {
  rib::Rib& rib = speaker_.rib();
  const rib::AttrStore& store = rib.attrs();
  std::optional<rib::PeerId> export_member;
  if (!c.export_peer.empty()) {
    auto v = speaker_.peer(c.export_peer);
    if (!v) return Reply::error(reply_code::runtime_error, "No such protocol: " + c.export_peer);
    if (!v->rib_id) return Reply::error(reply_code::runtime_error, c.export_peer + ": not established");
    export_member = v->rib_id;
  }
  if (!c.protocol.empty() && c.protocol != "static" && !speaker_.peer(c.protocol))
    return Reply::error(reply_code::runtime_error, "No such protocol: " + c.protocol);

  // Which prefixes: one (exact or longest match), or all with a selection.
  std::vector<Prefix> prefixes;
  if (c.prefix) {
    prefixes.push_back(*c.prefix);
  } else if (c.for_address) {
    std::optional<Prefix> best;
    rib.for_each_prefix([&](const Prefix& p) {
      if (p.contains(*c.for_address) && (!best || p.length() > best->length())) best = p;
    });
    if (best) prefixes.push_back(*best);
  } else {
    // Every prefix with a path, also one whose paths are all unreachable (shown as such).
    rib.for_each_prefix([&](const Prefix& p) { prefixes.push_back(p); });
    std::sort(prefixes.begin(), prefixes.end());
  }

  std::map<std::string, SystemTime> since;  // per protocol, for the route time column
  for (const PeerView& v : speaker_.peers()) since[v.name] = v.since;
  since["static"] = speaker_.started();
  std::vector<Prefix> blackholes;
  for (const Originate& o : speaker_.config().originate)
    if (o.blackhole) blackholes.push_back(o.prefix);

  const ConnectedSubnets connected;
  RouteTable v4{"master4", {}, 0}, v6{"master6", {}, 0};
  for (const Prefix& prefix : prefixes) {
    RouteTable& table = prefix.is_v4() ? v4 : v6;
    const std::size_t before = table.rows.size();
    auto add_row = [&](const std::string& proto, const rib::RouteAttrs& ra, bool primary, bool ecmp, rib::Step why,
                       bool reachable) {
      const wire::PathAttributes& a = ra.attrs;
      if (c.where && !matches(*c.where, a)) return;
      RouteRow row;
      row.prefix = prefix.to_string();
      row.proto = proto;
      row.when = since.count(proto) ? since[proto] : speaker_.started();
      row.primary = primary;
      const bool local = proto == "static";
      row.preference = local ? 200 : 100;
      const bool blackhole = local && std::find(blackholes.begin(), blackholes.end(), prefix) != blackholes.end();
      // A path whose next hop does not resolve: "unreachable", as BIRD prints it
      // (FRR says "inaccessible"); it cannot be selected and has no "via".
      row.type = blackhole ? "blackhole" : reachable ? "unicast" : "unreachable";
      if (!local) row.info = bgp_info(a);
      if (!blackhole && reachable && !ra.next_hop.is_unspecified()) {
        const std::string iface = connected.interface_for(ra.next_hop);
        row.vias.push_back("via " + ra.next_hop.to_string() + (iface.empty() ? "" : " on " + iface));
      }
      row.type_detail = local ? "static univ" : "BGP univ";
      auto& at = row.attributes;
      if (!local) {
        at.push_back(std::string("BGP.origin: ") +
                     (!a.origin || *a.origin == wire::Origin::igp ? "IGP" : *a.origin == wire::Origin::egp ? "EGP" : "Incomplete"));
        at.push_back("BGP.as_path: " + (a.as_path ? a.as_path->to_string() : std::string()));
        at.push_back("BGP.next_hop: " + ra.next_hop.to_string() +
                     (ra.link_local_next_hop ? " " + ra.link_local_next_hop->to_string() : ""));
        if (a.med) at.push_back("BGP.med: " + std::to_string(*a.med));
        if (a.local_pref) at.push_back("BGP.local_pref: " + std::to_string(*a.local_pref));
        if (a.originator_id) at.push_back("BGP.originator_id: " + IpAddress::v4(*a.originator_id).to_string());
        if (!a.cluster_list.empty()) {
          std::string cl;
          for (uint32_t id : a.cluster_list) cl += (cl.empty() ? "" : " ") + IpAddress::v4(id).to_string();
          at.push_back("BGP.cluster_list: " + cl);
        }
      }
      if (!a.communities.empty()) {
        std::string cs;
        for (uint32_t comm : a.communities) cs += (cs.empty() ? "" : " ") + community_text(comm);
        at.push_back("BGP.community: " + cs);
      }
      if (!a.large_communities.empty()) {
        std::string ls;
        for (const auto& l : a.large_communities)
          ls += (ls.empty() ? "" : " ") + ("(" + std::to_string(l.global) + ", " + std::to_string(l.local1) + ", " +
                                           std::to_string(l.local2) + ")");
        at.push_back("BGP.large_community: " + ls);
      }
      // Petrel: why the best path won, and which paths forward together.
      if (primary && why != rib::Step::none) at.push_back("Petrel.best_path: won on " + std::string(rib::to_string(why)));
      if (ecmp) at.push_back("Petrel.multipath: yes");
      if (!reachable) at.push_back("Petrel.next_hop: unreachable");
      row.json = {{"as_path", a.as_path ? a.as_path->to_string() : ""},
                  {"next_hop", ra.next_hop.to_string()},
                  {"next_hop_reachable", reachable},
                  {"ecmp", ecmp}};
      if (a.local_pref) row.json["local_pref"] = *a.local_pref;
      if (a.med) row.json["med"] = *a.med;
      boost::json::array comms;
      for (uint32_t comm : a.communities) comms.push_back(boost::json::string(community_text(comm)));
      row.json["communities"] = std::move(comms);
      if (primary && why != rib::Step::none) row.json["best_path_reason"] = std::string(rib::to_string(why));
      table.rows.push_back(std::move(row));
    };

    if (export_member) {
      for (const auto& adv : speaker_.groups().advertised_paths(*export_member, prefix))
        add_row(c.export_peer, store.get(adv.attrs), true, false, rib::Step::none, true);
    } else {
      const auto paths = rib.paths(prefix);
      const auto selected = rib.selected(prefix);
      const rib::Step why = c.all ? rib.explain(prefix) : rib::Step::none;
      for (std::size_t i = 0; i < paths.size(); ++i) {
        const std::string proto = speaker_.name_of(paths[i].peer);
        if (!c.protocol.empty() && proto != c.protocol) continue;
        const bool in_set = std::any_of(selected.begin(), selected.end(), [&](const rib::SelectedPath& s) {
          return s.peer == paths[i].peer && s.path_id == paths[i].path_id;
        });
        add_row(proto, store.get(paths[i].attrs), i == 0 && in_set, in_set && selected.size() > 1, why,
                rib.resolution(paths[i]).reachable);
      }
    }
    if (table.rows.size() > before) ++table.networks;
  }
  std::vector<RouteTable> tables{std::move(v4), std::move(v6)};
  if (c.json) return json_reply(routes_json(tables));
  if (c.count) return show_route_count(tables);
  return show_routes(tables, c.all, c.prefix.has_value() || c.for_address.has_value());
}

Reply ControlHandler::show_interfaces(const Command& c) {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return Reply::error(reply_code::runtime_error, "cannot list interfaces");
  // Interfaces in the kernel's order, each with its flags and addresses.
  std::vector<std::string> order;
  std::map<std::string, std::pair<unsigned, std::vector<std::string>>> ifs;
  for (ifaddrs* i = list; i; i = i->ifa_next) {
    if (!ifs.count(i->ifa_name)) order.push_back(i->ifa_name);
    auto& e = ifs[i->ifa_name];
    e.first = i->ifa_flags;
    if (auto p = interface_prefix(*i)) {
      // The address itself, not the masked prefix: "10.9.0.1/24".
      const auto* sa = i->ifa_addr;
      const IpAddress addr = sa->sa_family == AF_INET
                                 ? IpAddress::v4(ntohl(reinterpret_cast<const sockaddr_in*>(sa)->sin_addr.s_addr))
                                 : IpAddress::v6_bytes(reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr.s6_addr);
      e.second.push_back(addr.to_string() + "/" + std::to_string(p->length()));
    }
  }
  freeifaddrs(list);
  if (c.json) {
    boost::json::array a;
    for (const auto& name : order)
      a.push_back(boost::json::object{{"name", name},
                                      {"up", (ifs[name].first & IFF_UP) != 0},
                                      {"addresses", boost::json::value_from(ifs[name].second)}});
    return json_reply(boost::json::object{{"interfaces", std::move(a)}});
  }
  Reply r;
  for (const auto& name : order) {
    const auto& [flags, addrs] = ifs[name];
    r.line(reply_code::interface_list, name + ((flags & IFF_UP) ? " up" : " down") + " (index=" +
                                           std::to_string(if_nametoindex(name.c_str())) + ")");
    std::string f = "\t";
    f += (flags & IFF_LOOPBACK) ? "Loopback" : "MultiAccess";
    if (flags & IFF_BROADCAST) f += " Broadcast";
    if (flags & IFF_MULTICAST) f += " Multicast";
    f += (flags & IFF_UP) ? " AdminUp" : " AdminDown";
    f += (flags & IFF_RUNNING) ? " LinkUp" : " LinkDown";
    r.line(reply_code::interface_flags, f);
    for (const auto& a : addrs) r.line(reply_code::interface_address, "\t" + a);
  }
  return r;
}

Reply ControlHandler::show_memory(const Command& c) {
  const rib::Rib& rib = speaker_.rib();
  const std::size_t tables = rib.table_memory_bytes();
  const std::size_t attrs = rib.attrs().size();
  if (c.json)
    return json_reply(boost::json::object{{"routing_tables_bytes", tables},
                                          {"attribute_sets", attrs},
                                          {"prefixes", rib.prefix_count()},
                                          {"paths", rib.path_count()}});
  auto human = [](std::size_t b) {
    char buf[32];
    if (b >= (1u << 20)) std::snprintf(buf, sizeof buf, "%7.1f MB", b / 1048576.0);
    else if (b >= 1024) std::snprintf(buf, sizeof buf, "%7.1f kB", b / 1024.0);
    else std::snprintf(buf, sizeof buf, "%7.1f  B", static_cast<double>(b));
    return std::string(buf);
  };
  Reply r;
  r.line(reply_code::memory, "Petrel memory usage");
  r.line(reply_code::memory, "                  Effective");
  r.line(reply_code::memory, "Routing tables:  " + human(tables));
  r.line(reply_code::memory, "Route attributes: " + std::to_string(attrs) + " distinct sets");
  r.line(reply_code::memory, "Routes:           " + std::to_string(rib.path_count()) + " paths for " +
                                 std::to_string(rib.prefix_count()) + " prefixes");
  return r;
}

// Petrel: per-peer message and flap counters, one table.
Reply ControlHandler::show_counters(const Command& c) {
  const auto peers = speaker_.peers();
  if (c.json) {
    boost::json::array a;
    for (const PeerView& p : peers)
      a.push_back(boost::json::object{{"name", p.name},
                                      {"messages_received", p.stats.in.total()},
                                      {"messages_sent", p.stats.out.total()},
                                      {"updates_received", p.stats.in[wire::MessageType::update]},
                                      {"updates_sent", p.stats.out[wire::MessageType::update]},
                                      {"keepalives_received", p.stats.in[wire::MessageType::keepalive]},
                                      {"notifications_received", p.stats.in[wire::MessageType::notification]},
                                      {"notifications_sent", p.stats.out[wire::MessageType::notification]},
                                      {"flaps", p.stats.flaps},
                                      {"established", p.stats.established_count}});
    return json_reply(boost::json::object{{"peers", std::move(a)}});
  }
  Reply r;
  char line[256];
  std::snprintf(line, sizeof line, "%-12s %10s %10s %10s %10s %7s %7s %6s", "Name", "MsgRcvd", "MsgSent", "UpdRcvd",
                "UpdSent", "NotRcvd", "NotSent", "Flaps");
  r.line(reply_code::protocol_heading, line);
  for (const PeerView& p : peers) {
    std::snprintf(line, sizeof line, "%-12s %10llu %10llu %10llu %10llu %7llu %7llu %6u", p.name.c_str(),
                  static_cast<unsigned long long>(p.stats.in.total()),
                  static_cast<unsigned long long>(p.stats.out.total()),
                  static_cast<unsigned long long>(p.stats.in[wire::MessageType::update]),
                  static_cast<unsigned long long>(p.stats.out[wire::MessageType::update]),
                  static_cast<unsigned long long>(p.stats.in[wire::MessageType::notification]),
                  static_cast<unsigned long long>(p.stats.out[wire::MessageType::notification]), p.stats.flaps);
    r.line(reply_code::protocol_list, line);
  }
  return r;
}

// RFC 8326: the routes move away first; `down` (now or later) closes the sessions.
Reply ControlHandler::drain(const Command& c) {
  const std::string started = "Draining: routes sent with GRACEFUL_SHUTDOWN (65535,0), LOCAL_PREF 0 to iBGP peers, " +
                              std::to_string(speaker_.service_ips()) + " service IPs withdrawn";
  switch (c.drain) {
    case Command::Drain::start:
      if (!speaker_.set_draining(true)) return Reply().end(reply_code::drain, "Already draining");
      if (hooks_.draining_changed) hooks_.draining_changed(true);
      return Reply().end(reply_code::drain, started);
    case Command::Drain::stop: {
      const bool cancelled = hooks_.down_after && hooks_.down_after(std::nullopt);
      if (!speaker_.set_draining(false)) return Reply().end(reply_code::drain, "Not draining");
      if (hooks_.draining_changed) hooks_.draining_changed(false);
      return Reply().end(reply_code::drain, std::string("Drain stopped: routes sent as before") +
                                              (cancelled ? "; pending shutdown cancelled" : ""));
    }
    case Command::Drain::and_down: {
      if (!hooks_.down_after) return Reply::error(reply_code::runtime_error, "delayed shutdown not available");
      const bool was = !speaker_.set_draining(true);
      if (!was && hooks_.draining_changed) hooks_.draining_changed(true);
      hooks_.down_after(c.timeout_seconds);
      Reply r;
      r.line(reply_code::drain, was ? "Already draining" : started);
      return r.end(reply_code::shutdown_ordered, "Shutdown in " + std::to_string(c.timeout_seconds) + " s");
    }
  }
  return Reply::error(reply_code::parse_error, "not a drain command");
}

// BIRD's layout, under the heading "bfd1:" (the name of BIRD's usual BFD
// protocol), plus the peer's name in JSON.
Reply ControlHandler::show_bfd_sessions(const Command& c) {
  const ConnectedSubnets connected;
  std::vector<BfdRow> rows;
  for (const BfdSessionRow& s : speaker_.bfd_sessions()) {
    BfdRow b;
    b.address = s.session.peer.to_string();
    const std::string ifname = s.session.multihop ? "" : connected.interface_for(s.session.peer);
    b.interface = ifname.empty() ? "---" : ifname;
    b.state = std::string(bfd::to_string(s.session.state));
    b.since = s.session.since;
    b.interval_s = seconds(s.session.tx_interval);
    b.timeout_s = seconds(s.session.detection_time);
    b.json = bfd_json(s.session);
    b.json["peer"] = s.peer;
    b.json["interface"] = b.interface;
    b.json["since"] = format_since(b.since);
    rows.push_back(std::move(b));
  }
  if (c.json) return json_reply(bfd_sessions_json(rows));
  return daemon::show_bfd_sessions("bfd1", rows);
}

Reply ControlHandler::act(const Command& c) {
  Result<void, std::string> done;
  int code = reply_code::ok;
  std::string what;
  switch (c.verb) {
    case Command::Verb::enable: {
      done = speaker_.enable(c.name);
      if (!done && done.error().find("already") != std::string::npos)
        return Reply().line(reply_code::already_enabled, c.name + ": already enabled");
      code = reply_code::enabled;
      what = "enabled";
      break;
    }
    case Command::Verb::disable: {
      done = speaker_.disable(c.name, c.message);
      if (!done && done.error().find("already") != std::string::npos)
        return Reply().line(reply_code::already_disabled, c.name + ": already disabled");
      code = reply_code::disabled;
      what = "disabled";
      break;
    }
    case Command::Verb::restart:
      done = speaker_.restart(c.name, c.message);
      code = reply_code::restarted;
      what = "restarted";
      break;
    case Command::Verb::reload:
      if (c.reload != Command::Reload::out) done = speaker_.reload_in(c.name);
      if (done && c.reload != Command::Reload::in) done = speaker_.reload_out(c.name);
      code = reply_code::reloading;
      what = "reloading";
      break;
    default: return Reply::error(reply_code::parse_error, "not an action");
  }
  if (!done) {
    if (done.error().rfind("no such peer", 0) == 0) return Reply::error(reply_code::no_protocols, "No protocols match");
    return Reply::error(reply_code::runtime_error, done.error());
  }
  return Reply().line(code, c.name + ": " + what);
}

}  // namespace petrel::daemon
