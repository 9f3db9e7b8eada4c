// daemon/config_print.cpp — print_config(): the normalized configuration.
//
// Fixed key order (the order of etc/petrel.yaml), every default explicit, an
// unset optional value printed as null (which the parser reads as "not set"),
// secrets as "<from FILE>" (which the parser accepts back, reading FILE). The
// output is itself a valid configuration: parse(print(c)) equals c.
#include <string>
#include <vector>

#include "daemon/config.hpp"
#include "daemon/yaml_reader.hpp"
#include "daemon/yaml_writer.hpp"

namespace petrel::daemon {

namespace {

namespace wire = petrel::bgp::wire;

std::string dotted(uint32_t v) { return IpAddress::v4(v).to_string(); }

template <class T>
std::string or_null(const std::optional<T>& v) {
  if (!v) return "null";
  if constexpr (std::is_same_v<T, std::string>)
    return yaml_scalar(*v);
  else
    return std::to_string(*v);
}

std::string boolean(bool b) { return b ? "true" : "false"; }

std::string listen_text(const ListenAddress& l) {
  return "{address: " + yaml_scalar(l.address.to_string()) + ", port: " + std::to_string(l.port) + "}";
}

std::string originate_text(const Originate& o) {
  std::vector<std::string> communities;
  for (uint32_t c : o.communities) communities.push_back(yaml_scalar(community_text(c)));
  return "{prefix: " + yaml_scalar(o.prefix.to_string()) + ", blackhole: " + boolean(o.blackhole) +
         ", communities: " + yaml_flow_list(communities) + "}";
}

std::string fib_text(const FibConfig& f) {
  return "{enabled: " + boolean(f.enabled) + ", table: " + (f.table == 254 ? std::string("main") : std::to_string(f.table)) +
         ", protocol: " + (f.protocol == 201 ? std::string("petrel") : std::to_string(f.protocol)) +
         ", ecmp-max-paths: " + std::to_string(f.ecmp_max_paths) + ", metric: " + or_null(f.metric) +
         ", nexthop-objects: " + boolean(f.nexthop_objects) + "}";
}

std::string remote_as_text(const PeerConfig& p) {
  switch (p.remote_as_kind) {
    case RemoteAsKind::internal: return "internal";
    case RemoteAsKind::external: return "external";
    case RemoteAsKind::exact: break;
  }
  return std::to_string(p.remote_as);
}

std::string next_hop_text(const PeerConfig& p) {
  switch (p.next_hop) {
    case NextHopConfig::self: return "self";
    case NextHopConfig::keep: return "keep";
    case NextHopConfig::address: return yaml_scalar(p.next_hop_address ? p.next_hop_address->to_string() : "");
    case NextHopConfig::automatic: break;
  }
  return "auto";
}

std::string add_path_text(const PeerConfig& p) {
  if (p.add_path_send && p.add_path_receive) return "both";
  if (p.add_path_send) return "send";
  if (p.add_path_receive) return "receive";
  return "none";
}

std::string families_text(const std::vector<wire::Family>& families) {
  std::vector<std::string> names;
  for (wire::Family f : families) names.push_back(f == wire::Family::ipv4_unicast ? "ipv4" : "ipv6");
  return yaml_flow_list(names);
}

std::string limit_action_text(LimitAction a) {
  switch (a) {
    case LimitAction::block: return "block";
    case LimitAction::restart: return "restart";
    case LimitAction::warn: break;
  }
  return "warn";
}

std::string policy_name(const std::string& name) { return name.empty() ? "null" : yaml_scalar(name); }

void print_peer(std::string& out, const PeerConfig& p) {
  const auto line = [&](std::string_view key, const std::string& value) {
    out += (key == "name" ? "  - " : "    ") + std::string(key) + ": " + value + "\n";
  };
  line("name", yaml_scalar(p.name));
  if (p.range)
    line("range", yaml_scalar(p.range->to_string()));
  else
    line("address", yaml_scalar(p.address ? p.address->to_string() : ""));
  line("remote-as", remote_as_text(p));
  line("local-address", p.local_address ? yaml_scalar(p.local_address->to_string()) : "null");
  line("password", p.password ? yaml_scalar("<from " + p.password->file + ">") : "null");
  line("hold-time", std::to_string(p.hold_time));
  line("connect-retry", std::to_string(p.connect_retry));
  line("passive", boolean(p.passive));
  line("families", families_text(p.families));
  line("next-hop", next_hop_text(p));
  line("route-reflector-client", boolean(p.route_reflector_client));
  line("graceful-restart", p.graceful_restart ? "{restart-time: " + std::to_string(p.graceful_restart->restart_time) +
                                                    ", long-lived-stale-time: " + or_null(p.graceful_restart->long_lived_stale_time) + "}"
                                              : "null");
  line("bfd", p.bfd ? "{interval-ms: " + std::to_string(p.bfd->interval_ms) + ", multiplier: " + std::to_string(p.bfd->multiplier) + "}"
                    : "null");
  line("add-path", add_path_text(p));
  line("soft-reconfiguration", boolean(p.soft_reconfiguration));
  line("allow-own-as", std::to_string(p.allow_own_as));
  line("ttl-security", std::to_string(p.ttl_security_hops));
  line("multihop", std::to_string(p.multihop));
  std::string limit = "null";
  if (p.import_limit)
    limit = "{max: " + std::to_string(*p.import_limit) + ", action: " + limit_action_text(p.import_limit_action) +
            ", restart-after: " + std::to_string(p.import_limit_restart_after) + "}";
  line("import", "{policy: " + policy_name(p.import_policy) + ", limit: " + limit + "}");
  line("export", "{policy: " + policy_name(p.export_policy) + "}");
  line("mrai-ms", std::to_string(p.mrai_ms));
  line("disabled", boolean(p.disabled));
}

// The emitted `kubernetes:` map under its key: flow text on the same line,
// block text indented below it.
std::string kubernetes_text(const std::string& yaml) {
  if (yaml.empty()) return "kubernetes: null\n";
  if (yaml.find('\n') == std::string::npos && (yaml.front() == '{' || yaml.front() == '['))
    return "kubernetes: " + yaml + "\n";
  std::string out = "kubernetes:\n";
  std::size_t start = 0;
  while (start < yaml.size()) {
    std::size_t end = yaml.find('\n', start);
    if (end == std::string::npos) end = yaml.size();
    out += "  " + yaml.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return out;
}

}  // namespace

std::string print_config(const Config& c) {
  std::string out;
  const auto line = [&](std::string_view key, const std::string& value) { out += std::string(key) + ": " + value + "\n"; };
  out += "# petreld configuration, normalized: every key, defaults made explicit.\n";
  line("router-id", dotted(c.router_id));
  line("local-as", std::to_string(c.local_as));
  line("cluster-id", c.cluster_id ? dotted(*c.cluster_id) : "null");
  if (c.listen.empty()) {
    line("listen", "[]");
  } else {
    out += "listen:\n";
    for (const ListenAddress& l : c.listen) out += "  - " + listen_text(l) + "\n";
  }
  line("control-socket", yaml_scalar(c.control_socket));
  line("control-socket-readonly", or_null(c.control_socket_readonly));
  line("metrics", or_null(c.metrics));
  line("log-level", c.log_level);
  line("store", "{path: " + yaml_scalar(c.store_path) + ", enabled: " + boolean(c.store_enabled) +
                    ", history-max-age: " + std::to_string(c.store_history_max_age) +
                    ", history-max-entries: " + std::to_string(c.store_history_max_entries) + "}");
  line("fib", fib_text(c.fib));
  line("max-paths", std::to_string(c.max_paths));
  line("multipath-relax", boolean(c.multipath_relax));
  line("always-compare-med", boolean(c.always_compare_med));
  line("selection-deferral", or_null(c.selection_deferral));
  if (c.originate.empty()) {
    line("originate", "[]");
  } else {
    out += "originate:\n";
    for (const Originate& o : c.originate) out += "  - " + originate_text(o) + "\n";
  }
  if (c.peers.empty()) {
    line("peers", "[]");
  } else {
    out += "peers:\n";
    for (const PeerConfig& p : c.peers) print_peer(out, p);
  }
  out += c.policy_text.empty() ? "prefix-sets: {}\npolicies: {}\n" : c.policy_text;
  out += kubernetes_text(c.kubernetes_yaml);
  return out;
}

}  // namespace petrel::daemon
