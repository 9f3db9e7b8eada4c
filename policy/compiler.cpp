#include "policy/compiler.hpp"

#include "policy/selector.hpp"

#include <algorithm>
#include <cstdio>
#include <unordered_map>

namespace petrel::policy {

const char* SetSpec::ipset_type() const {
  switch (kind) {
    case SetKind::pods: return "hash:ip";
    case SetKind::nets: return "hash:net";
    case SetKind::named_port: return "hash:ip,port";
  }
  return "hash:ip";
}

std::string isolated_set(Direction direction, AddressFamily family) {
  std::string name = direction == Direction::ingress ? kIsolatedIngressSet : kIsolatedEgressSet;
  return family == AddressFamily::ipv4 ? name : name + "6";
}

std::string Hook::spec() const { return "-m comment --comment petrel:hook -j " + target; }

bool operator==(const RuleSet& a, const RuleSet& b) {
  auto chains_equal = [](const Chain& x, const Chain& y) {
    if (x.name != y.name || x.rules.size() != y.rules.size()) return false;
    for (std::size_t i = 0; i < x.rules.size(); ++i)
      if (x.rules[i].spec != y.rules[i].spec || x.rules[i].id != y.rules[i].id) return false;
    return true;
  };
  if (a.chains.size() != b.chains.size() || a.sets.size() != b.sets.size() || a.hooks.size() != b.hooks.size())
    return false;
  for (std::size_t i = 0; i < a.chains.size(); ++i)
    if (!chains_equal(a.chains[i], b.chains[i])) return false;
  for (std::size_t i = 0; i < a.sets.size(); ++i)
    if (a.sets[i].name != b.sets[i].name) return false;
  for (std::size_t i = 0; i < a.hooks.size(); ++i)
    if (a.hooks[i].builtin != b.hooks[i].builtin || a.hooks[i].target != b.hooks[i].target) return false;
  return true;
}

std::string short_hash(const std::string& text, std::size_t hex_digits) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return std::string(buf, std::min<std::size_t>(hex_digits, 16));
}

namespace {

std::string hex_mark(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%x", v);
  return buf;
}

// Collects the sets the rules refer to, one per distinct definition.
class SetRegistry {
 public:
  explicit SetRegistry(AddressFamily family) : family_(family) {}
  std::string pods(const std::vector<PodTerm>& terms, const std::string& description) {
    std::string key = "pods";
    for (const auto& t : terms) key += "|" + term_key(t);
    return add(key, "petrel-s-", [&] {
      SetSpec s;
      s.kind = SetKind::pods;
      s.terms = terms;
      s.description = description;
      return s;
    });
  }
  // A fixed-name pod set (the isolation sets: local pods only) that grows term by term.
  void add_fixed_term(const std::string& name, const PodTerm& term, const std::string& description) {
    auto it = by_name_.find(name);
    if (it == by_name_.end()) {
      SetSpec s;
      s.name = name;
      s.kind = SetKind::pods;
      s.description = description;
      s.family = family_;
      s.local_pods_only = true;
      it = by_name_.emplace(name, std::move(s)).first;
    }
    std::string k = term_key(term);
    for (const auto& t : it->second.terms)
      if (term_key(t) == k) return;
    it->second.terms.push_back(term);
  }
  void ensure_fixed(const std::string& name, const std::string& description) {
    if (by_name_.count(name)) return;
    SetSpec s;
    s.name = name;
    s.kind = SetKind::pods;
    s.description = description;
    s.family = family_;
    s.local_pods_only = true;
    by_name_.emplace(name, std::move(s));
  }
  std::string nets(const IpBlock& block) {
    std::string key = "nets|" + block.cidr.to_string();
    for (const auto& e : block.except) key += "," + e.to_string();
    return add(key, "petrel-b-", [&] {
      SetSpec s;
      s.kind = SetKind::nets;
      s.block = block;
      s.description = "ipBlock " + block.cidr.to_string();
      for (const auto& e : block.except) s.description += " except " + e.to_string();
      return s;
    });
  }
  std::string named_port(const std::string& port_name, Protocol protocol) {
    std::string key = std::string("np|") + protocol_name(protocol) + "|" + port_name;
    return add(key, "petrel-n-", [&] {
      SetSpec s;
      s.kind = SetKind::named_port;
      s.port_name = port_name;
      s.protocol = protocol;
      s.description = std::string("named port ") + port_name + "/" + protocol_name(protocol);
      return s;
    });
  }
  std::vector<SetSpec> take() {
    std::vector<SetSpec> out;
    for (auto& [_, s] : by_name_) out.push_back(std::move(s));
    return out;  // std::map: sorted by name
  }

  static std::string term_key(const PodTerm& t) {
    std::string k = t.ns ? "ns=" + *t.ns : "nssel=" + canonical_text(*t.ns_selector);
    return k + "|pods=" + canonical_text(t.pod_selector);
  }

 private:
  template <class Make>
  std::string add(const std::string& key, const char* prefix, Make make) {
    auto it = name_by_key_.find(key);
    if (it != name_by_key_.end()) return it->second;
    // IPv6 sets are named apart: "petrel-s-" becomes "petrel-s6-".
    std::string p = prefix;
    if (family_ == AddressFamily::ipv6) p.insert(p.size() - 1, "6");
    std::string name = p + short_hash(key, 16);
    SetSpec s = make();
    s.name = name;
    s.family = family_;
    by_name_.emplace(name, std::move(s));
    name_by_key_.emplace(key, name);
    return name;
  }

  AddressFamily family_;
  std::map<std::string, SetSpec> by_name_;
  std::unordered_map<std::string, std::string> name_by_key_;
};

class ChainBuilder {
 public:
  explicit ChainBuilder(std::string name) { chain_.name = std::move(name); }
  void add(std::string spec, std::string note) {
    RuleLine r;
    r.id = short_hash(chain_.name + "#" + std::to_string(chain_.rules.size()) + "#" + spec + "#" + note, 8);
    r.spec = std::move(spec);
    r.note = std::move(note);
    chain_.rules.push_back(std::move(r));
  }
  Chain take() { return std::move(chain_); }

 private:
  Chain chain_;
};

// The peer side of a rule: which set (if any) the packet's other end must be in.
std::optional<std::string> peer_set(const NetworkPolicy& np, const Peer& peer, SetRegistry& sets) {
  if (peer.ip_block) return sets.nets(*peer.ip_block);
  PodTerm t;
  if (peer.namespace_selector) {
    // namespaceSelector alone: every pod in the matching namespaces; with
    // podSelector: the matching pods in those namespaces (AND).
    t.ns_selector = *peer.namespace_selector;
  } else {
    // podSelector alone: pods in the policy's own namespace.
    t.ns = np.ns;
  }
  if (peer.pod_selector) t.pod_selector = *peer.pod_selector;
  std::string desc = (t.ns ? "pods in " + *t.ns : "pods in namespaces " + describe(*t.ns_selector)) +
                     " matching " + describe(t.pod_selector);
  return sets.pods({t}, desc);
}

// The port side of a rule, as iptables matches.
std::string port_match(const PortSpec& port, SetRegistry& sets) {
  std::string out = std::string("-p ") + protocol_name(port.protocol);
  if (port.number) {
    out += " --dport " + std::to_string(*port.number);
    if (port.end_port && *port.end_port != *port.number) out += ":" + std::to_string(*port.end_port);
  } else if (!port.name.empty()) {
    // A named port is the destination pod's container port of that name: the set
    // holds (pod IP, protocol:number) for every pod that has it. For ingress the
    // destination is the selected pod; for egress the peer.
    out += " -m set --match-set " + sets.named_port(port.name, port.protocol) + " dst,dst";
  }
  return out;
}

void compile_direction(const NetworkPolicy& np, Direction dir, const CompileOptions& opt, SetRegistry& sets,
                       ChainBuilder& parent, std::vector<Chain>& chains) {
  const bool ingress = dir == Direction::ingress;
  const char* self = ingress ? "dst" : "src";   // the selected pod's side of the packet
  const char* other = ingress ? "src" : "dst";  // the peer's side
  PodTerm target{np.ns, std::nullopt, np.pod_selector};
  std::string target_set =
      sets.pods({target}, "pods in " + np.ns + " matching " + describe(np.pod_selector));
  sets.add_fixed_term(isolated_set(dir, opt.family), target,
                      std::string("pods isolated for ") + direction_name(dir));
  const auto& rules = np.rules(dir);
  if (rules.empty()) return;  // isolates, allows nothing

  std::string chain_name = std::string(ingress ? "petrel-pi-" : "petrel-pe-") + short_hash(np.key(), 16);
  ChainBuilder chain(chain_name);
  std::string mark = "-j MARK --set-xmark " + hex_mark(opt.mark_bit) + "/" + hex_mark(opt.mark_bit);
  for (std::size_t r = 0; r < rules.size(); ++r) {
    const PolicyRule& rule = rules[r];
    std::string base_note = np.key() + " " + direction_name(dir) + "[" + std::to_string(r) + "]";
    // Empty peer list: any peer. Empty port list: any port.
    std::vector<std::optional<std::string>> peer_matches;
    if (rule.peers.empty()) peer_matches.push_back(std::nullopt);
    for (const auto& p : rule.peers) peer_matches.push_back(peer_set(np, p, sets));
    std::vector<std::optional<std::string>> port_matches;
    if (rule.ports.empty()) port_matches.push_back(std::nullopt);
    for (const auto& p : rule.ports) port_matches.push_back(port_match(p, sets));
    for (std::size_t i = 0; i < peer_matches.size(); ++i) {
      for (std::size_t j = 0; j < port_matches.size(); ++j) {
        std::string spec;
        if (peer_matches[i]) spec += "-m set --match-set " + *peer_matches[i] + " " + other + " ";
        if (port_matches[j]) spec += *port_matches[j] + " ";
        spec += mark;
        std::string note = base_note;
        if (!rule.peers.empty()) note += " peer[" + std::to_string(i) + "]";
        if (!rule.ports.empty()) note += " port[" + std::to_string(j) + "]";
        chain.add(spec, note);
      }
    }
  }
  chains.push_back(chain.take());
  parent.add("-m set --match-set " + target_set + " " + self + " -j " + chain_name,
             np.key() + " " + direction_name(dir));
  parent.add("-m mark --mark " + hex_mark(opt.mark_bit) + "/" + hex_mark(opt.mark_bit) + " -j RETURN",
             np.key() + " " + direction_name(dir) + " allowed");
}

void finish_direction(ChainBuilder& chain, Direction dir, const CompileOptions& opt) {
  std::string what = std::string("drop ") + direction_name(dir);
  if (opt.drop_log) {
    std::string limit = "-m limit --limit " + opt.log_rate + " --limit-burst " + std::to_string(opt.log_burst);
    std::string prefix = std::string("petrel-drop-") + direction_name(dir) + ": ";
    if (opt.nflog)
      chain.add(limit + " -j NFLOG --nflog-group " + std::to_string(opt.nflog_group) + " --nflog-prefix \"" +
                    prefix + "\"",
                "log " + what);
    else
      chain.add(limit + " -j LOG --log-prefix \"" + prefix + "\"", "log " + what);
  }
  chain.add("-j DROP", what + " (isolated, no policy allows)");
}

}  // namespace

RuleSet compile_rules(const std::vector<NetworkPolicy>& policies_in, const CompileOptions& opt) {
  // Sorted by key: the output does not depend on input order.
  std::vector<const NetworkPolicy*> policies;
  for (const auto& p : policies_in) policies.push_back(&p);
  std::sort(policies.begin(), policies.end(),
            [](const NetworkPolicy* a, const NetworkPolicy* b) { return a->key() < b->key(); });

  SetRegistry sets(opt.family);
  std::vector<Chain> policy_chains;
  ChainBuilder ingress(kIngressChain);
  ChainBuilder egress(kEgressChain);
  for (const NetworkPolicy* np : policies) {
    if (np->applies_ingress) compile_direction(*np, Direction::ingress, opt, sets, ingress, policy_chains);
    if (np->applies_egress) compile_direction(*np, Direction::egress, opt, sets, egress, policy_chains);
  }
  finish_direction(ingress, Direction::ingress, opt);
  finish_direction(egress, Direction::egress, opt);
  const std::string iso_in = isolated_set(Direction::ingress, opt.family);
  const std::string iso_out = isolated_set(Direction::egress, opt.family);
  sets.ensure_fixed(iso_in, "pods isolated for ingress");
  sets.ensure_fixed(iso_out, "pods isolated for egress");

  std::string bit = hex_mark(opt.mark_bit);
  std::string clear = "-j MARK --set-xmark 0x0/" + bit;
  ChainBuilder top(kTopChain);
  top.add("-m conntrack --ctstate RELATED,ESTABLISHED -j RETURN", "replies of allowed connections");
  top.add(clear, "clear mark");
  top.add("-m set --match-set " + iso_out + " src -j " + kEgressChain,
          "egress of isolated pods");
  top.add(clear, "clear mark");
  top.add("-m set --match-set " + iso_in + " dst -j " + kIngressChain,
          "ingress of isolated pods");
  top.add(clear, "clear mark");

  RuleSet out;
  out.chains.push_back(top.take());
  out.chains.push_back(egress.take());
  out.chains.push_back(ingress.take());
  for (auto& c : policy_chains) out.chains.push_back(std::move(c));
  out.sets = sets.take();
  out.hooks.push_back(Hook{"FORWARD", kTopChain});
  return out;
}

std::set<std::string> ip_block_members(const IpBlock& block, AddressFamily family) {
  std::set<std::string> out;
  if (block.cidr.family() != family) return out;
  auto text = [](const Prefix& p) {
    return p.is_host() ? p.address().to_string() : p.to_string();
  };
  if (block.cidr.length() == 0) {
    out.insert(family == AddressFamily::ipv4 ? "0.0.0.0/1" : "::/1");
    out.insert(family == AddressFamily::ipv4 ? "128.0.0.0/1" : "8000::/1");
  } else {
    out.insert(text(block.cidr));
  }
  for (const auto& e : block.except) out.insert(text(e) + " nomatch");
  return out;
}

namespace {

// Pods by namespace, namespaces by name: the indexes member computation needs.
struct Index {
  std::map<std::string, const Namespace*> namespaces;
  std::map<std::string, std::vector<const Pod*>> pods_by_ns;
  explicit Index(const Snapshot& s) {
    for (const auto& ns : s.namespaces) namespaces[ns.name] = &ns;
    for (const auto& p : s.pods) pods_by_ns[p.ns].push_back(&p);
  }
};

bool term_matches(const PodTerm& t, const Pod& pod, const Labels& ns_labels) {
  if (t.ns) {
    if (pod.ns != *t.ns) return false;
  } else if (!matches(*t.ns_selector, ns_labels)) {
    return false;
  }
  return matches(t.pod_selector, pod.labels);
}

void add_pod_ips(const Pod& pod, AddressFamily family, std::set<std::string>& out) {
  for (const auto& ip : pod.ips)
    if (ip.family() == family) out.insert(ip.to_string());
}

void add_named_ports(const SetSpec& s, const Pod& pod, std::set<std::string>& out) {
  for (const auto& cp : pod.ports) {
    if (cp.name != s.port_name || cp.protocol != s.protocol) continue;
    for (const auto& ip : pod.ips)
      if (ip.family() == s.family)
        out.insert(ip.to_string() + "," + protocol_name(cp.protocol) + ":" + std::to_string(cp.port));
  }
}

}  // namespace

SetMembers compute_members(const std::vector<SetSpec>& sets, const Snapshot& snapshot) {
  Index index(snapshot);
  SetMembers out;
  for (const auto& s : sets) {
    auto& members = out[s.name];
    switch (s.kind) {
      case SetKind::nets: members = ip_block_members(s.block, s.family); break;
      case SetKind::named_port:
        for (const auto& pod : snapshot.pods) add_named_ports(s, pod, members);
        break;
      case SetKind::pods:
        for (const auto& t : s.terms) {
          auto add_ns = [&](const std::string& ns) {
            auto it = index.pods_by_ns.find(ns);
            if (it == index.pods_by_ns.end()) return;
            for (const Pod* p : it->second)
              if ((p->local || !s.local_pods_only) && matches(t.pod_selector, p->labels))
                add_pod_ips(*p, s.family, members);
          };
          if (t.ns) {
            add_ns(*t.ns);
          } else {
            for (const auto& [name, ns] : index.namespaces)
              if (matches(*t.ns_selector, ns->labels)) add_ns(name);
          }
        }
        break;
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> pod_membership(const std::vector<SetSpec>& sets, const Pod& pod,
                                                                 const Labels& namespace_labels) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& s : sets) {
    std::set<std::string> members;
    if (s.kind == SetKind::named_port) {
      add_named_ports(s, pod, members);
    } else if (s.kind == SetKind::pods && (pod.local || !s.local_pods_only)) {
      for (const auto& t : s.terms)
        if (term_matches(t, pod, namespace_labels)) {
          add_pod_ips(pod, s.family, members);
          break;
        }
    }
    for (auto& m : members) out.emplace_back(s.name, m);
  }
  return out;
}

}  // namespace petrel::policy
