#include "policy/evaluator.hpp"

#include "policy/selector.hpp"

namespace petrel::policy {
namespace {

const Pod* pod_with_ip(const Snapshot& s, const IpAddress& ip) {
  for (const auto& p : s.pods)
    for (const auto& a : p.ips)
      if (a == ip) return &p;
  return nullptr;
}

const Labels* namespace_labels(const Snapshot& s, const std::string& name) {
  for (const auto& ns : s.namespaces)
    if (ns.name == name) return &ns.labels;
  return nullptr;
}

bool peer_matches(const Snapshot& s, const NetworkPolicy& np, const Peer& peer, const IpAddress& ip,
                  const Pod* pod) {
  if (peer.ip_block) {
    if (!peer.ip_block->cidr.contains(ip)) return false;
    for (const auto& e : peer.ip_block->except)
      if (e.contains(ip)) return false;
    return true;
  }
  if (!pod) return false;
  if (peer.namespace_selector) {
    const Labels* nl = namespace_labels(s, pod->ns);
    Labels fallback{{"kubernetes.io/metadata.name", pod->ns}};
    if (!matches(*peer.namespace_selector, nl ? *nl : fallback)) return false;
  } else if (pod->ns != np.ns) {
    return false;
  }
  return !peer.pod_selector || matches(*peer.pod_selector, pod->labels);
}

// `dst_pod` resolves named ports: always the packet's destination.
bool port_matches(const PortSpec& p, const Flow& f, const Pod* dst_pod) {
  if (p.protocol != f.protocol) return false;
  if (p.number) {
    uint16_t end = p.end_port ? *p.end_port : *p.number;
    return f.port >= *p.number && f.port <= end;
  }
  if (!p.name.empty()) {
    if (!dst_pod) return false;
    for (const auto& cp : dst_pod->ports)
      if (cp.name == p.name && cp.protocol == p.protocol && cp.port == f.port) return true;
    return false;
  }
  return true;  // protocol only
}

SideVerdict evaluate_side(const Snapshot& s, const Flow& f, Direction dir, const Pod* self, const Pod* other,
                          const Pod* dst_pod) {
  SideVerdict v;
  if (!self) return v;
  const IpAddress& peer_ip = dir == Direction::ingress ? f.src : f.dst;
  for (const auto& np : s.policies) {
    if (np.ns != self->ns || !np.applies(dir) || !matches(np.pod_selector, self->labels)) continue;
    v.isolated = true;
    v.selecting.push_back(np.key());
    const auto& rules = np.rules(dir);
    for (std::size_t r = 0; r < rules.size(); ++r) {
      const PolicyRule& rule = rules[r];
      std::string where = np.key() + " " + direction_name(dir) + "[" + std::to_string(r) + "]";
      std::string peer_why, port_why;
      bool peer_ok = rule.peers.empty();
      if (peer_ok) peer_why = "any peer";
      for (std::size_t i = 0; i < rule.peers.size() && !peer_ok; ++i)
        if (peer_matches(s, np, rule.peers[i], peer_ip, other)) {
          peer_ok = true;
          peer_why = "peer[" + std::to_string(i) + "]";
        }
      bool port_ok = rule.ports.empty();
      if (port_ok) port_why = "any port";
      for (std::size_t i = 0; i < rule.ports.size() && !port_ok; ++i)
        if (port_matches(rule.ports[i], f, dst_pod)) {
          port_ok = true;
          port_why = "port[" + std::to_string(i) + "]";
        }
      if (peer_ok && port_ok) v.allowing.push_back(where + " (" + peer_why + ", " + port_why + ")");
    }
  }
  v.allowed = !v.isolated || !v.allowing.empty();
  return v;
}

std::string list(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out;
}

void describe_side(Verdict& v, const SideVerdict& side, Direction dir, const Pod* pod, const IpAddress& ip) {
  std::string d = direction_name(dir);
  std::string who = pod ? "pod " + pod->key() + " (" + ip.to_string() + ")" : ip.to_string() + " (no pod)";
  if (!side.isolated) {
    v.lines.push_back(d + ": " + who + " is not isolated for " + d + ": allowed");
    return;
  }
  v.lines.push_back(d + ": " + who + " is isolated for " + d + " by " + list(side.selecting));
  if (side.allowed) {
    for (const auto& a : side.allowing) v.lines.push_back("  allowed by " + a);
  } else {
    v.lines.push_back("  denied: no " + d + " rule of these policies matches peer and port");
  }
}

}  // namespace

Verdict evaluate(const Snapshot& s, const Flow& f) {
  Verdict v;
  const Pod* src = pod_with_ip(s, f.src);
  const Pod* dst = pod_with_ip(s, f.dst);
  v.egress = evaluate_side(s, f, Direction::egress, src, dst, dst);
  v.ingress = evaluate_side(s, f, Direction::ingress, dst, src, dst);
  v.allowed = v.egress.allowed && v.ingress.allowed;
  v.lines.push_back(std::string("flow ") + f.src.to_string() + " -> " + f.dst.to_string() + " " +
                    protocol_name(f.protocol) + "/" + std::to_string(f.port));
  describe_side(v, v.egress, Direction::egress, src, f.src);
  describe_side(v, v.ingress, Direction::ingress, dst, f.dst);
  v.lines.push_back(std::string("verdict: ") + (v.allowed ? "ALLOW" : "DENY"));
  return v;
}

}  // namespace petrel::policy
