// policy/policy_reader.cpp — NetworkPolicySpec validation and defaults (Kubernetes API
// reference, networking.k8s.io/v1: NetworkPolicySpec, NetworkPolicyPeer,
// NetworkPolicyPort, IPBlock; meta/v1 LabelSelector).
#include "policy/policy_reader.hpp"

#include <charconv>

namespace petrel::policy {

std::string field_path(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }
std::string index_path(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }

namespace {

bool is_number_text(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

// Every key of map `node` must be one of `allowed`.
Result<void, FieldError> only_keys(const DocNode& node, const std::string& path,
                                   std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, _] : node.fields()) {
    bool ok = false;
    for (auto a : allowed) ok = ok || a == key;
    if (!ok) return FieldError{field_path(path, key), "unknown field"};
  }
  return {};
}

Result<SelectorOp, FieldError> op_of(const std::string& s, const std::string& path) {
  if (s == "In") return SelectorOp::in;
  if (s == "NotIn") return SelectorOp::not_in;
  if (s == "Exists") return SelectorOp::exists;
  if (s == "DoesNotExist") return SelectorOp::does_not_exist;
  return FieldError{path, "unknown operator '" + s + "' (In, NotIn, Exists, DoesNotExist)"};
}

Result<LabelSelector, FieldError> selector_of(const DocNode& node, const std::string& path) {
  LabelSelector sel;
  if (node.absent()) return sel;
  if (!node.is_map()) return FieldError{path, "expected a label selector map"};
  if (auto k = only_keys(node, path, {"matchLabels", "matchExpressions"}); !k) return k.error();
  auto ml = read_labels(node["matchLabels"], field_path(path, "matchLabels"));
  if (!ml) return ml.error();
  sel.match_labels = *ml;
  const DocNode& exprs = node["matchExpressions"];
  if (!exprs.absent()) {
    std::string epath = field_path(path, "matchExpressions");
    if (!exprs.is_sequence()) return FieldError{epath, "expected a list"};
    for (std::size_t i = 0; i < exprs.size(); ++i) {
      std::string ipath = index_path(epath, i);
      const DocNode& e = exprs[i];
      if (!e.is_map()) return FieldError{ipath, "expected a map"};
      SelectorRequirement r;
      auto key = read_scalar(e["key"], field_path(ipath, "key"));
      if (!key) return key.error();
      r.key = *key;
      auto optext = read_scalar(e["operator"], field_path(ipath, "operator"));
      if (!optext) return optext.error();
      auto op = op_of(*optext, field_path(ipath, "operator"));
      if (!op) return op.error();
      r.op = *op;
      const DocNode& values = e["values"];
      if (!values.absent()) {
        if (!values.is_sequence()) return FieldError{field_path(ipath, "values"), "expected a list"};
        for (std::size_t j = 0; j < values.size(); ++j) {
          auto v = read_scalar(values[j], index_path(field_path(ipath, "values"), j));
          if (!v) return v.error();
          r.values.push_back(*v);
        }
      }
      bool set_op = r.op == SelectorOp::in || r.op == SelectorOp::not_in;
      if (set_op && r.values.empty())
        return FieldError{field_path(ipath, "values"), "must be non-empty for In and NotIn"};
      if (!set_op && !r.values.empty())
        return FieldError{field_path(ipath, "values"), "must be empty for Exists and DoesNotExist"};
      sel.match_expressions.push_back(std::move(r));
    }
  }
  return sel;
}

Result<PortSpec, FieldError> port_of(const DocNode& node, const std::string& path) {
  if (!node.is_map()) return FieldError{path, "expected a map"};
  PortSpec p;
  auto proto = read_protocol(node["protocol"], field_path(path, "protocol"));
  if (!proto) return proto.error();
  p.protocol = *proto;
  const DocNode& port = node["port"];
  if (!port.absent()) {
    auto text = read_scalar(port, field_path(path, "port"));
    if (!text) return text.error();
    if (is_number_text(*text)) {
      auto n = read_number(port, field_path(path, "port"), 1, 65535);
      if (!n) return n.error();
      p.number = static_cast<uint16_t>(*n);
    } else {
      // IANA_SVC_NAME (RFC 6335 §5.1): 1-15 characters of lowercase letters,
      // digits and '-', at least one letter, no '-' at either end, no "--".
      const std::string& t = *text;
      bool valid = !t.empty() && t.size() <= 15 &&
                   t.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos &&
                   t.find_first_of("abcdefghijklmnopqrstuvwxyz") != std::string::npos && t.front() != '-' &&
                   t.back() != '-' && t.find("--") == std::string::npos;
      if (!valid)
        return FieldError{field_path(path, "port"), "'" + *text + "' is neither a port number nor a valid port name"};
      p.name = *text;
    }
  }
  const DocNode& end = node["endPort"];
  if (!end.absent()) {
    if (!p.number) return FieldError{field_path(path, "endPort"), "requires a numeric port"};
    auto n = read_number(end, field_path(path, "endPort"), 1, 65535);
    if (!n) return n.error();
    if (*n < *p.number) return FieldError{field_path(path, "endPort"), "must not be less than port"};
    p.end_port = static_cast<uint16_t>(*n);
  }
  return p;
}

Result<IpBlock, FieldError> ip_block_of(const DocNode& node, const std::string& path) {
  if (!node.is_map()) return FieldError{path, "expected a map"};
  IpBlock b;
  auto cidr_text = read_scalar(node["cidr"], field_path(path, "cidr"));
  if (!cidr_text) return cidr_text.error();
  auto cidr = Prefix::parse(*cidr_text, /*require_canonical=*/false);
  if (!cidr || cidr_text->find('/') == std::string::npos)
    return FieldError{field_path(path, "cidr"), "'" + *cidr_text + "' is not a CIDR"};
  b.cidr = Prefix::make(cidr->address(), cidr->length());
  const DocNode& except = node["except"];
  if (!except.absent()) {
    if (!except.is_sequence()) return FieldError{field_path(path, "except"), "expected a list"};
    for (std::size_t i = 0; i < except.size(); ++i) {
      std::string epath = index_path(field_path(path, "except"), i);
      auto t = read_scalar(except[i], epath);
      if (!t) return t.error();
      auto e = Prefix::parse(*t, false);
      if (!e) return FieldError{epath, "'" + *t + "' is not a CIDR"};
      Prefix canon = Prefix::make(e->address(), e->length());
      // API validation: each except must lie strictly inside cidr.
      if (!b.cidr.contains(canon) || canon == b.cidr)
        return FieldError{epath, canon.to_string() + " is not inside " + b.cidr.to_string()};
      b.except.push_back(canon);
    }
  }
  return b;
}

Result<Peer, FieldError> peer_of(const DocNode& node, const std::string& path) {
  if (!node.is_map()) return FieldError{path, "expected a map"};
  Peer p;
  if (auto k = only_keys(node, path, {"podSelector", "namespaceSelector", "ipBlock"}); !k) return k.error();
  // A key given as null (podSelector: ~) counts as given: an empty selector.
  if (node["podSelector"]) {
    auto s = selector_of(node["podSelector"], field_path(path, "podSelector"));
    if (!s) return s.error();
    p.pod_selector = *s;
  }
  if (node["namespaceSelector"]) {
    auto s = selector_of(node["namespaceSelector"], field_path(path, "namespaceSelector"));
    if (!s) return s.error();
    p.namespace_selector = *s;
  }
  if (node["ipBlock"]) {
    if (p.pod_selector || p.namespace_selector)
      return FieldError{field_path(path, "ipBlock"), "may not be combined with podSelector or namespaceSelector"};
    auto b = ip_block_of(node["ipBlock"], field_path(path, "ipBlock"));
    if (!b) return b.error();
    p.ip_block = *b;
  }
  if (!p.pod_selector && !p.namespace_selector && !p.ip_block)
    return FieldError{path, "a peer needs podSelector, namespaceSelector or ipBlock"};
  return p;
}

// ingress[]: {from, ports}; egress[]: {to, ports}.
Result<std::vector<PolicyRule>, FieldError> rules_of(const DocNode& node, const std::string& path,
                                                     const char* peers_key) {
  std::vector<PolicyRule> out;
  if (node.absent()) return out;
  if (!node.is_sequence()) return FieldError{path, "expected a list"};
  for (std::size_t i = 0; i < node.size(); ++i) {
    std::string rpath = index_path(path, i);
    const DocNode& r = node[i];
    PolicyRule rule;
    if (r.is_null()) {
      out.push_back(rule);  // "- {}" written as "-": allow all
      continue;
    }
    if (!r.is_map()) return FieldError{rpath, "expected a map"};
    if (auto k = only_keys(r, rpath, {peers_key, "ports"}); !k) return k.error();
    const DocNode& peers = r[peers_key];
    if (!peers.absent()) {
      if (!peers.is_sequence()) return FieldError{field_path(rpath, peers_key), "expected a list"};
      for (std::size_t j = 0; j < peers.size(); ++j) {
        auto p = peer_of(peers[j], index_path(field_path(rpath, peers_key), j));
        if (!p) return p.error();
        rule.peers.push_back(*p);
      }
    }
    const DocNode& ports = r["ports"];
    if (!ports.absent()) {
      if (!ports.is_sequence()) return FieldError{field_path(rpath, "ports"), "expected a list"};
      for (std::size_t j = 0; j < ports.size(); ++j) {
        auto p = port_of(ports[j], index_path(field_path(rpath, "ports"), j));
        if (!p) return p.error();
        rule.ports.push_back(*p);
      }
    }
    out.push_back(std::move(rule));
  }
  return out;
}

}  // namespace

Result<std::string, FieldError> read_scalar(const DocNode& node, const std::string& path) {
  if (!node) return FieldError{path, "missing"};
  if (!node.is_scalar()) return FieldError{path, "expected a scalar"};
  return Result<std::string, FieldError>(boost::system::in_place_value, node.text());
}

Result<uint32_t, FieldError> read_number(const DocNode& node, const std::string& path, uint32_t lo, uint32_t hi) {
  auto text = read_scalar(node, path);
  if (!text) return text.error();
  uint32_t v = 0;
  const std::string& s = *text;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty())
    return FieldError{path, "expected a number, got '" + s + "'"};
  if (v < lo || v > hi) return FieldError{path, "out of range " + std::to_string(lo) + ".." + std::to_string(hi)};
  return v;
}

Result<Labels, FieldError> read_labels(const DocNode& node, const std::string& path) {
  Labels out;
  if (node.absent()) return out;
  if (!node.is_map()) return FieldError{path, "expected a map of labels"};
  for (const auto& [k, value] : node.fields()) {
    auto v = read_scalar(value, field_path(path, k));
    if (!v) return v.error();
    out[k] = *v;
  }
  return out;
}

Result<Protocol, FieldError> read_protocol(const DocNode& node, const std::string& path) {
  if (node.absent()) return Protocol::tcp;  // API default
  auto s = read_scalar(node, path);
  if (!s) return s.error();
  if (*s == "TCP") return Protocol::tcp;
  if (*s == "UDP") return Protocol::udp;
  if (*s == "SCTP") return Protocol::sctp;
  return FieldError{path, "unknown protocol '" + *s + "' (TCP, UDP, SCTP)"};
}

bool is_dns_label(const std::string& s) {
  if (s.empty() || s.size() > 63) return false;
  if (s.front() == '-' || s.back() == '-') return false;
  return s.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos;
}

Result<NetworkPolicy, FieldError> read_policy_spec(const DocNode& spec, const std::string& ns,
                                                   const std::string& name) {
  NetworkPolicy np;
  np.ns = ns;
  np.name = name;
  if (!spec.is_map()) return FieldError{"spec", "missing"};
  if (auto k = only_keys(spec, "spec", {"podSelector", "policyTypes", "ingress", "egress"}); !k) return k.error();
  if (!spec["podSelector"]) return FieldError{"spec.podSelector", "required (use {} for every pod)"};
  auto sel = selector_of(spec["podSelector"], "spec.podSelector");
  if (!sel) return sel.error();
  np.pod_selector = *sel;
  auto ingress = rules_of(spec["ingress"], "spec.ingress", "from");
  if (!ingress) return ingress.error();
  np.ingress = *ingress;
  auto egress = rules_of(spec["egress"], "spec.egress", "to");
  if (!egress) return egress.error();
  np.egress = *egress;
  const DocNode& types = spec["policyTypes"];
  if (!types.absent()) {
    if (!types.is_sequence()) return FieldError{"spec.policyTypes", "expected a list"};
    np.applies_ingress = false;
    np.applies_egress = false;
    for (std::size_t i = 0; i < types.size(); ++i) {
      auto t = read_scalar(types[i], index_path("spec.policyTypes", i));
      if (!t) return t.error();
      if (*t == "Ingress") np.applies_ingress = true;
      else if (*t == "Egress") np.applies_egress = true;
      else return FieldError{index_path("spec.policyTypes", i), "unknown policy type '" + *t + "'"};
    }
  } else {
    // API reference, NetworkPolicySpec.policyTypes: Ingress always; Egress when the
    // policy has any egress rule.
    np.applies_ingress = true;
    np.applies_egress = !np.egress.empty();
  }
  return np;
}

}  // namespace petrel::policy
