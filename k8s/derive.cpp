// k8s/derive.cpp — the pure mapping from cluster state to announcements and peers.
#include "k8s/derive.hpp"

#include <algorithm>
#include <charconv>
#include <set>

#include <boost/json/parse.hpp>

#include "k8s/json_fields.hpp"

namespace petrel::k8s {

std::string_view to_string(PeerRole role) {
  switch (role) {
    case PeerRole::mesh: return "mesh";
    case PeerRole::reflector: return "reflector";
    case PeerRole::reflector_client: return "reflector-client";
    case PeerRole::external: return "external";
  }
  return "?";
}

namespace {

class Builder {
 public:
  void announce(const Prefix& p, bool blackhole, std::string origin) {
    Announcement& a = announcements_[p];
    a.prefix = p;
    a.blackhole = a.blackhole || blackhole;
    if (std::find(a.origins.begin(), a.origins.end(), origin) == a.origins.end()) a.origins.push_back(origin);
  }
  void peer(DesiredPeer p) { peers_.emplace(p.name, std::move(p)); }  // first one wins
  void note(std::string n) { notes_.push_back(std::move(n)); }

  void finish(Derived& d) {
    for (auto& [_, a] : announcements_) d.announcements.push_back(std::move(a));
    for (auto& [_, p] : peers_) d.peers.push_back(std::move(p));
    d.notes = std::move(notes_);
  }

 private:
  std::map<Prefix, Announcement> announcements_;
  std::map<std::string, DesiredPeer> peers_;
  std::vector<std::string> notes_;
};

std::optional<std::string> label(const ObjectMeta& m, std::string_view key) {
  auto it = m.labels.find(std::string(key));
  if (it == m.labels.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> annotation(const ObjectMeta& m, std::string_view key) {
  auto it = m.annotations.find(std::string(key));
  if (it == m.annotations.end()) return std::nullopt;
  return it->second;
}

std::optional<uint32_t> parse_as(std::string_view s) {
  uint32_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || v == 0) return std::nullopt;
  return v;
}

uint32_t node_as(const Node& n, uint32_t default_as, const KubernetesConfig& c, Builder& b) {
  auto text = annotation(n.meta, c.as_number_annotation);
  if (!text) return default_as;
  if (auto as = parse_as(*text)) return *as;
  b.note("node " + n.meta.name + " annotation " + c.as_number_annotation + "=\"" + *text +
         "\" is not an AS number; using " + std::to_string(default_as));
  return default_as;
}

bool is_reflector(const Node& n, const KubernetesConfig& c) {
  return label(n.meta, c.route_reflector_label) == std::optional<std::string>("true");
}

// The addresses to peer with a node at: one per address family this node has an
// InternalIP of (its first InternalIP of that family), in the order of this node's
// InternalIPs. A dual-stack pair of nodes gets an IPv4 and an IPv6 session, as
// Calico's node mesh has (each family over its own transport, next hops of that family).
std::vector<IpAddress> peer_addresses(const Node& n, const Node& self) {
  if (n.internal_ips.empty()) return {};
  if (self.internal_ips.empty()) return {n.internal_ips.front()};
  std::vector<IpAddress> out;
  std::vector<bool> family_done(2, false);
  for (const auto& mine : self.internal_ips) {
    const std::size_t f = mine.is_v4() ? 0 : 1;
    if (family_done[f]) continue;
    family_done[f] = true;
    for (const auto& ip : n.internal_ips)
      if (ip.family() == mine.family()) {
        out.push_back(ip);
        break;
      }
  }
  return out;
}

bool in_ranges(const IpAddress& ip, const std::vector<Prefix>& ranges) {
  return std::any_of(ranges.begin(), ranges.end(), [&](const Prefix& r) { return r.contains(ip); });
}

Prefix host_route(const IpAddress& ip) { return Prefix::make(ip, ip.max_prefix_length()); }

// "namespace/service" of every service with a ready endpoint on this node: one
// pass over the slices, so that derive() stays linear in the cluster's size.
std::set<std::string> services_served_here(const std::string& node_name, const ClusterState& s) {
  std::set<std::string> out;
  for (const auto& [_, slice] : *s.endpoint_slices) {
    if (slice.service_name.empty()) continue;
    for (const auto& ep : slice.endpoints) {
      if (ep.ready && ep.node_name == node_name) {
        out.insert(slice.meta.namespace_ + "/" + slice.service_name);
        break;
      }
    }
  }
  return out;
}

void derive_services(const Node& self, const KubernetesConfig& c, const ClusterState& s, Builder& b) {
  if (label(self.meta, exclude_from_lb_label)) {
    b.note("node " + self.meta.name + " is labelled " + std::string(exclude_from_lb_label) +
           ": no service IPs announced");
    return;
  }
  for (const Prefix& range : c.cluster_ip_ranges) b.announce(range, false, "config kubernetes.advertise.cluster-ips");
  const std::set<std::string> served_here = services_served_here(self.meta.name, s);

  for (const auto& [key, svc] : *s.services) {
    if (svc.type == "ExternalName") continue;
    const bool local = svc.external_traffic_policy == TrafficPolicy::local;
    const bool serving_here = !local || served_here.contains(key);
    const std::string who = "service " + key;
    const std::string suffix = local ? " (externalTrafficPolicy Local, ready endpoint on this node)" : "";
    auto consider = [&](const IpAddress& ip, const std::vector<Prefix>& ranges, std::string_view what,
                        std::string_view range_key) {
      if (!in_ranges(ip, ranges)) {
        b.note(who + " " + std::string(what) + " " + ip.to_string() + " is outside kubernetes.advertise." +
               std::string(range_key) + ": not announced");
        return;
      }
      if (!serving_here) {
        b.note(who + " " + std::string(what) + " " + ip.to_string() +
               ": externalTrafficPolicy Local and no ready endpoint on this node: not announced");
        return;
      }
      b.announce(host_route(ip), false, who + " " + std::string(what) + suffix);
    };
    // A Local service's cluster IPs as host routes, so traffic reaches a node with an endpoint.
    if (local) {
      for (const auto& ip : svc.cluster_ips)
        if (in_ranges(ip, c.cluster_ip_ranges) && serving_here) b.announce(host_route(ip), false, who + " clusterIP" + suffix);
    }
    for (const auto& ip : svc.external_ips) consider(ip, c.external_ip_ranges, "externalIP", "external-ips");
    for (const auto& ip : svc.load_balancer_ips)
      consider(ip, c.load_balancer_ip_ranges, "loadBalancer ingress", "load-balancer-ips");
  }
}

void derive_node_peers(const Node& self, uint32_t default_as, const KubernetesConfig& c, const ClusterState& s,
                       Builder& b) {
  std::vector<const Node*> reflectors;
  for (const auto& [_, n] : *s.nodes)
    if (is_reflector(n, c)) reflectors.push_back(&n);
  const bool self_reflector = is_reflector(self, c);
  if (reflectors.empty() && !c.node_mesh) {
    b.note("node-mesh is off and no node is labelled " + c.route_reflector_label + "=true: no node peers");
    return;
  }
  for (const auto& [_, n] : *s.nodes) {
    if (n.meta.name == self.meta.name) continue;
    PeerRole role = PeerRole::mesh;
    std::string why = " (full mesh)";
    if (!reflectors.empty()) {
      const bool other_reflector = is_reflector(n, c);
      if (self_reflector) {
        role = other_reflector ? PeerRole::reflector : PeerRole::reflector_client;
        why = other_reflector ? " (fellow route reflector)" : " (route-reflector client)";
      } else if (other_reflector) {
        role = PeerRole::reflector;
        why = " (route reflector)";
      } else {
        continue;  // clients peer only with the reflectors
      }
    }
    const auto addresses = peer_addresses(n, self);
    if (addresses.empty()) {
      b.note("node " + n.meta.name + " has no InternalIP of this node's families: no peer");
      continue;
    }
    const uint32_t remote_as = node_as(n, default_as, c, b);
    for (const IpAddress& address : addresses) {
      DesiredPeer p;
      // The session of this node's first family keeps the plain name; another
      // family's session is told apart by a suffix ("node-node-b-v6").
      const bool first_family = self.internal_ips.empty() || address.family() == self.internal_ips.front().family();
      p.name = "node-" + n.meta.name + (first_family ? "" : address.is_v4() ? "-v4" : "-v6");
      p.address = address;
      p.remote_as = remote_as;
      p.role = role;
      p.origin = "node " + n.meta.name + why;
      b.peer(std::move(p));
    }
  }
}

void derive_external_peers(const Node& self, const KubernetesConfig& c, Builder& b) {
  for (std::size_t i = 0; i < c.peers.size(); ++i) {
    const ExternalPeerConfig& pc = c.peers[i];
    if (pc.node_selector && !pc.node_selector->matches(self.meta.labels)) continue;
    DesiredPeer p;
    p.name = pc.name;
    p.address = pc.address;
    p.remote_as = pc.remote_as;
    p.role = PeerRole::external;
    p.password = pc.password;
    p.origin = "config kubernetes.peers[" + std::to_string(i) + "]";
    if (pc.node_selector) p.origin += " (node-selector \"" + pc.node_selector->text + "\")";
    b.peer(std::move(p));
  }
  auto text = annotation(self.meta, c.peers_annotation);
  if (!text) return;
  const std::string where = "node " + self.meta.name + " annotation " + c.peers_annotation;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(*text, ec);
  if (ec || !v.is_array()) {
    b.note(where + ": not a JSON list" + (ec ? " (" + ec.message() + ")" : std::string()));
    return;
  }
  const auto& list = v.get_array();
  for (std::size_t i = 0; i < list.size(); ++i) {
    detail::FieldReader r;
    const std::string path = "[" + std::to_string(i) + "]";
    const auto* o = r.element_object(list[i], path);
    DesiredPeer p;
    p.name = r.string(o, "name", path, true);
    const std::string addr = r.string(o, "address", path, true);
    const auto as = r.integer(o, "remote-as", path);
    if (const auto* secret = r.object(o, "password-secret", path)) {
      const std::string sp = path + ".password-secret";
      SecretKeyRef ref;
      ref.namespace_ = c.secret_namespace;
      ref.name = r.string(secret, "name", sp, true);
      ref.key = r.string(secret, "key", sp, true);
      p.password = ref;
    }
    if (!r.failed() && (!as || *as < 1 || *as > 4294967295LL)) r.fail(path + ".remote-as", "must be an AS number");
    auto ip = IpAddress::parse(addr);
    if (!r.failed() && !ip) r.fail(path + ".address", "\"" + addr + "\" is not an IP address");
    if (r.failed()) {
      b.note(where + ": " + r.error_path() + ": " + r.error_message());
      continue;
    }
    p.address = *ip;
    p.remote_as = static_cast<uint32_t>(*as);
    p.role = PeerRole::external;
    p.origin = where + path;
    b.peer(std::move(p));
  }
}

}  // namespace

Derived derive(std::string_view node_name, uint32_t default_as, const KubernetesConfig& config,
               const ClusterState& state) {
  Derived d;
  d.local_as = default_as;
  Builder b;
  auto it = state.nodes->find(std::string(node_name));
  if (it == state.nodes->end()) {
    b.note("node " + std::string(node_name) + " is not (yet) in the cluster: nothing announced, no peers");
    b.finish(d);
    return d;
  }
  const Node& self = it->second;
  d.node_known = true;
  d.local_as = node_as(self, default_as, config, b);
  d.route_reflector = is_reflector(self, config);
  if (d.route_reflector) {
    d.cluster_id = annotation(self.meta, config.cluster_id_annotation);
    if (!d.cluster_id) {
      b.note("route reflector " + self.meta.name + " has no " + config.cluster_id_annotation +
             " annotation: the router id serves as cluster id");
    }
  }
  if (config.advertise_pod_cidrs) {
    for (const Prefix& p : self.pod_cidrs) b.announce(p, /*blackhole=*/true, "node " + self.meta.name + " spec.podCIDRs");
    if (self.pod_cidrs.empty()) b.note("node " + self.meta.name + " has no spec.podCIDRs yet");
  }
  derive_services(self, config, state, b);
  derive_node_peers(self, default_as, config, state, b);
  derive_external_peers(self, config, b);
  b.finish(d);
  return d;
}

std::vector<std::string> explain(const Derived& d) {
  std::vector<std::string> out;
  out.push_back(std::string("local AS ") + std::to_string(d.local_as) +
                (d.route_reflector ? ", route reflector" + (d.cluster_id ? " (cluster id " + *d.cluster_id + ")" : std::string())
                                   : std::string()));
  out.push_back("announcements:");
  for (const auto& a : d.announcements) {
    std::string line = "  " + a.prefix.to_string() + (a.blackhole ? " blackhole" : "") + " <-";
    for (std::size_t i = 0; i < a.origins.size(); ++i) line += (i ? "; " : " ") + a.origins[i];
    out.push_back(std::move(line));
  }
  out.push_back("peers:");
  for (const auto& p : d.peers) {
    out.push_back("  " + p.name + " " + p.address.to_string() + " AS" + std::to_string(p.remote_as) + " " +
                  std::string(to_string(p.role)) + (p.password ? " password " + p.password->to_string() : "") + " <- " +
                  p.origin);
  }
  if (!d.notes.empty()) {
    out.push_back("notes:");
    for (const auto& n : d.notes) out.push_back("  " + n);
  }
  return out;
}

}  // namespace petrel::k8s
