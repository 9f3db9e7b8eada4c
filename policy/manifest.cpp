#include "policy/manifest.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

namespace petrel::policy {
namespace {

// A parse failure with the field path where it happened; turned into an Error with
// the file and document by the caller.
struct FieldError {
  std::string path;
  std::string message;
};

using Node = YAML::Node;

std::string join(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }
std::string index(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }

// The scalar at `node` as text; fails if it is a map or list.
Result<std::string, FieldError> scalar(const Node& node, const std::string& path) {
  if (!node) return FieldError{path, "missing"};
  if (!node.IsScalar()) return FieldError{path, "expected a scalar"};
  return Result<std::string, FieldError>(boost::system::in_place_value, node.Scalar());
}

Result<uint32_t, FieldError> number(const Node& node, const std::string& path, uint32_t lo, uint32_t hi) {
  auto text = scalar(node, path);
  if (!text) return text.error();
  uint32_t v = 0;
  const std::string& s = *text;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty())
    return FieldError{path, "expected a number, got '" + s + "'"};
  if (v < lo || v > hi) return FieldError{path, "out of range " + std::to_string(lo) + ".." + std::to_string(hi)};
  return v;
}

bool is_number_text(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

Result<Labels, FieldError> labels_of(const Node& node, const std::string& path) {
  Labels out;
  if (!node || node.IsNull()) return out;
  if (!node.IsMap()) return FieldError{path, "expected a map of labels"};
  for (const auto& kv : node) {
    auto k = scalar(kv.first, path);
    if (!k) return k.error();
    auto v = scalar(kv.second, join(path, *k));
    if (!v) return v.error();
    out[*k] = *v;
  }
  return out;
}

Result<SelectorOp, FieldError> op_of(const std::string& s, const std::string& path) {
  if (s == "In") return SelectorOp::in;
  if (s == "NotIn") return SelectorOp::not_in;
  if (s == "Exists") return SelectorOp::exists;
  if (s == "DoesNotExist") return SelectorOp::does_not_exist;
  return FieldError{path, "unknown operator '" + s + "' (In, NotIn, Exists, DoesNotExist)"};
}

Result<LabelSelector, FieldError> selector_of(const Node& node, const std::string& path) {
  LabelSelector sel;
  if (!node || node.IsNull()) return sel;
  if (!node.IsMap()) return FieldError{path, "expected a label selector map"};
  for (const auto& kv : node) {
    std::string key = kv.first.as<std::string>("");
    if (key != "matchLabels" && key != "matchExpressions")
      return FieldError{join(path, key), "unknown field"};
  }
  auto ml = labels_of(node["matchLabels"], join(path, "matchLabels"));
  if (!ml) return ml.error();
  sel.match_labels = *ml;
  const Node exprs = node["matchExpressions"];
  if (exprs && !exprs.IsNull()) {
    std::string epath = join(path, "matchExpressions");
    if (!exprs.IsSequence()) return FieldError{epath, "expected a list"};
    for (std::size_t i = 0; i < exprs.size(); ++i) {
      std::string ipath = index(epath, i);
      const Node e = exprs[i];
      if (!e.IsMap()) return FieldError{ipath, "expected a map"};
      SelectorRequirement r;
      auto key = scalar(e["key"], join(ipath, "key"));
      if (!key) return key.error();
      r.key = *key;
      auto optext = scalar(e["operator"], join(ipath, "operator"));
      if (!optext) return optext.error();
      auto op = op_of(*optext, join(ipath, "operator"));
      if (!op) return op.error();
      r.op = *op;
      const Node values = e["values"];
      if (values && !values.IsNull()) {
        if (!values.IsSequence()) return FieldError{join(ipath, "values"), "expected a list"};
        for (std::size_t j = 0; j < values.size(); ++j) {
          auto v = scalar(values[j], index(join(ipath, "values"), j));
          if (!v) return v.error();
          r.values.push_back(*v);
        }
      }
      bool set_op = r.op == SelectorOp::in || r.op == SelectorOp::not_in;
      if (set_op && r.values.empty())
        return FieldError{join(ipath, "values"), "must be non-empty for In and NotIn"};
      if (!set_op && !r.values.empty())
        return FieldError{join(ipath, "values"), "must be empty for Exists and DoesNotExist"};
      sel.match_expressions.push_back(std::move(r));
    }
  }
  return sel;
}

Result<Protocol, FieldError> protocol_of(const Node& node, const std::string& path) {
  if (!node || node.IsNull()) return Protocol::tcp;  // API default
  auto s = scalar(node, path);
  if (!s) return s.error();
  if (*s == "TCP") return Protocol::tcp;
  if (*s == "UDP") return Protocol::udp;
  if (*s == "SCTP") return Protocol::sctp;
  return FieldError{path, "unknown protocol '" + *s + "' (TCP, UDP, SCTP)"};
}

Result<PortSpec, FieldError> port_of(const Node& node, const std::string& path) {
  if (!node.IsMap()) return FieldError{path, "expected a map"};
  PortSpec p;
  auto proto = protocol_of(node["protocol"], join(path, "protocol"));
  if (!proto) return proto.error();
  p.protocol = *proto;
  const Node port = node["port"];
  if (port && !port.IsNull()) {
    auto text = scalar(port, join(path, "port"));
    if (!text) return text.error();
    if (is_number_text(*text)) {
      auto n = number(port, join(path, "port"), 1, 65535);
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
        return FieldError{join(path, "port"), "'" + *text + "' is neither a port number nor a valid port name"};
      p.name = *text;
    }
  }
  const Node end = node["endPort"];
  if (end && !end.IsNull()) {
    if (!p.number) return FieldError{join(path, "endPort"), "requires a numeric port"};
    auto n = number(end, join(path, "endPort"), 1, 65535);
    if (!n) return n.error();
    if (*n < *p.number) return FieldError{join(path, "endPort"), "must not be less than port"};
    p.end_port = static_cast<uint16_t>(*n);
  }
  return p;
}

Result<IpBlock, FieldError> ip_block_of(const Node& node, const std::string& path) {
  if (!node.IsMap()) return FieldError{path, "expected a map"};
  IpBlock b;
  auto cidr_text = scalar(node["cidr"], join(path, "cidr"));
  if (!cidr_text) return cidr_text.error();
  auto cidr = Prefix::parse(*cidr_text, /*require_canonical=*/false);
  if (!cidr || cidr_text->find('/') == std::string::npos)
    return FieldError{join(path, "cidr"), "'" + *cidr_text + "' is not a CIDR"};
  b.cidr = Prefix::make(cidr->address(), cidr->length());
  const Node except = node["except"];
  if (except && !except.IsNull()) {
    if (!except.IsSequence()) return FieldError{join(path, "except"), "expected a list"};
    for (std::size_t i = 0; i < except.size(); ++i) {
      std::string epath = index(join(path, "except"), i);
      auto t = scalar(except[i], epath);
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

Result<Peer, FieldError> peer_of(const Node& node, const std::string& path) {
  if (!node.IsMap()) return FieldError{path, "expected a map"};
  Peer p;
  for (const auto& kv : node) {
    std::string key = kv.first.as<std::string>("");
    if (key != "podSelector" && key != "namespaceSelector" && key != "ipBlock")
      return FieldError{join(path, key), "unknown field"};
  }
  if (node["podSelector"]) {
    auto s = selector_of(node["podSelector"], join(path, "podSelector"));
    if (!s) return s.error();
    p.pod_selector = *s;
  }
  if (node["namespaceSelector"]) {
    auto s = selector_of(node["namespaceSelector"], join(path, "namespaceSelector"));
    if (!s) return s.error();
    p.namespace_selector = *s;
  }
  if (node["ipBlock"]) {
    if (p.pod_selector || p.namespace_selector)
      return FieldError{join(path, "ipBlock"), "may not be combined with podSelector or namespaceSelector"};
    auto b = ip_block_of(node["ipBlock"], join(path, "ipBlock"));
    if (!b) return b.error();
    p.ip_block = *b;
  }
  if (!p.pod_selector && !p.namespace_selector && !p.ip_block)
    return FieldError{path, "a peer needs podSelector, namespaceSelector or ipBlock"};
  return p;
}

// ingress[]: {from, ports}; egress[]: {to, ports}.
Result<std::vector<PolicyRule>, FieldError> rules_of(const Node& node, const std::string& path,
                                                     const char* peers_key) {
  std::vector<PolicyRule> out;
  if (!node || node.IsNull()) return out;
  if (!node.IsSequence()) return FieldError{path, "expected a list"};
  for (std::size_t i = 0; i < node.size(); ++i) {
    std::string rpath = index(path, i);
    const Node r = node[i];
    PolicyRule rule;
    if (r.IsNull()) {
      out.push_back(rule);  // "- {}" written as "-": allow all
      continue;
    }
    if (!r.IsMap()) return FieldError{rpath, "expected a map"};
    for (const auto& kv : r) {
      std::string key = kv.first.as<std::string>("");
      if (key != peers_key && key != "ports") return FieldError{join(rpath, key), "unknown field"};
    }
    const Node peers = r[peers_key];
    if (peers && !peers.IsNull()) {
      if (!peers.IsSequence()) return FieldError{join(rpath, peers_key), "expected a list"};
      for (std::size_t j = 0; j < peers.size(); ++j) {
        auto p = peer_of(peers[j], index(join(rpath, peers_key), j));
        if (!p) return p.error();
        rule.peers.push_back(*p);
      }
    }
    const Node ports = r["ports"];
    if (ports && !ports.IsNull()) {
      if (!ports.IsSequence()) return FieldError{join(rpath, "ports"), "expected a list"};
      for (std::size_t j = 0; j < ports.size(); ++j) {
        auto p = port_of(ports[j], index(join(rpath, "ports"), j));
        if (!p) return p.error();
        rule.ports.push_back(*p);
      }
    }
    out.push_back(std::move(rule));
  }
  return out;
}

// RFC 1123 label: what Kubernetes requires of namespace names.
bool is_dns_label(const std::string& s) {
  if (s.empty() || s.size() > 63) return false;
  if (s.front() == '-' || s.back() == '-') return false;
  return s.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos;
}

Result<NetworkPolicy, FieldError> policy_of(const Node& doc) {
  NetworkPolicy np;
  auto api = scalar(doc["apiVersion"], "apiVersion");
  if (!api) return api.error();
  if (*api != "networking.k8s.io/v1")
    return FieldError{"apiVersion", "expected networking.k8s.io/v1, got '" + *api + "'"};
  const Node meta = doc["metadata"];
  if (!meta || !meta.IsMap()) return FieldError{"metadata", "missing"};
  auto name = scalar(meta["name"], "metadata.name");
  if (!name) return name.error();
  np.name = *name;
  if (meta["namespace"]) {
    auto ns = scalar(meta["namespace"], "metadata.namespace");
    if (!ns) return ns.error();
    np.ns = *ns;
  } else {
    np.ns = "default";  // kubectl apply without -n
  }
  if (!is_dns_label(np.ns)) return FieldError{"metadata.namespace", "'" + np.ns + "' is not a valid namespace name"};
  const Node spec = doc["spec"];
  if (!spec || !spec.IsMap()) return FieldError{"spec", "missing"};
  for (const auto& kv : spec) {
    std::string key = kv.first.as<std::string>("");
    if (key != "podSelector" && key != "policyTypes" && key != "ingress" && key != "egress")
      return FieldError{join("spec", key), "unknown field"};
  }
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
  const Node types = spec["policyTypes"];
  if (types && !types.IsNull()) {
    if (!types.IsSequence()) return FieldError{"spec.policyTypes", "expected a list"};
    np.applies_ingress = false;
    np.applies_egress = false;
    for (std::size_t i = 0; i < types.size(); ++i) {
      auto t = scalar(types[i], index("spec.policyTypes", i));
      if (!t) return t.error();
      if (*t == "Ingress") np.applies_ingress = true;
      else if (*t == "Egress") np.applies_egress = true;
      else return FieldError{index("spec.policyTypes", i), "unknown policy type '" + *t + "'"};
    }
  } else {
    // API reference, NetworkPolicySpec.policyTypes: Ingress always; Egress when the
    // policy has any egress rule.
    np.applies_ingress = true;
    np.applies_egress = !np.egress.empty();
  }
  return np;
}

Error located(const std::string& file, std::size_t doc, const FieldError& e) {
  std::string where = file + ": document " + std::to_string(doc);
  if (!e.path.empty()) where += ": " + e.path;
  return Error{where + ": " + e.message};
}

std::vector<Node> load_documents(std::string_view text, const std::string& file, Error& error, bool& ok) {
  ok = true;
  try {
    return YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    ok = false;
    error = Error{file + ": line " + std::to_string(e.mark.line + 1) + ", column " +
                  std::to_string(e.mark.column + 1) + ": " + e.msg};
    return {};
  }
}

Result<ContainerPort, FieldError> container_port_of(const Node& node, const std::string& path) {
  if (!node.IsMap()) return FieldError{path, "expected a map"};
  ContainerPort cp;
  if (node["name"]) {
    auto n = scalar(node["name"], join(path, "name"));
    if (!n) return n.error();
    cp.name = *n;
  }
  const Node port = node["containerPort"] ? node["containerPort"] : node["port"];
  auto n = number(port, join(path, "containerPort"), 1, 65535);
  if (!n) return n.error();
  cp.port = static_cast<uint16_t>(*n);
  auto proto = protocol_of(node["protocol"], join(path, "protocol"));
  if (!proto) return proto.error();
  cp.protocol = *proto;
  return cp;
}

Result<Pod, FieldError> pod_of(const Node& node, const std::string& path) {
  if (!node.IsMap()) return FieldError{path, "expected a map"};
  Pod pod;
  auto name = scalar(node["name"], join(path, "name"));
  if (!name) return name.error();
  pod.name = *name;
  auto ns = scalar(node["namespace"], join(path, "namespace"));
  if (!ns) return ns.error();
  if (!is_dns_label(*ns)) return FieldError{join(path, "namespace"), "'" + *ns + "' is not a valid namespace name"};
  pod.ns = *ns;
  auto labels = labels_of(node["labels"], join(path, "labels"));
  if (!labels) return labels.error();
  pod.labels = *labels;
  const Node ips = node["ips"];
  if (ips && !ips.IsNull()) {
    if (!ips.IsSequence()) return FieldError{join(path, "ips"), "expected a list"};
    for (std::size_t i = 0; i < ips.size(); ++i) {
      auto t = scalar(ips[i], index(join(path, "ips"), i));
      if (!t) return t.error();
      auto ip = IpAddress::parse(*t);
      if (!ip) return FieldError{index(join(path, "ips"), i), "'" + *t + "' is not an IP address"};
      pod.ips.push_back(*ip);
    }
  }
  const Node ports = node["ports"];
  if (ports && !ports.IsNull()) {
    if (!ports.IsSequence()) return FieldError{join(path, "ports"), "expected a list"};
    for (std::size_t i = 0; i < ports.size(); ++i) {
      auto cp = container_port_of(ports[i], index(join(path, "ports"), i));
      if (!cp) return cp.error();
      pod.ports.push_back(*cp);
    }
  }
  return pod;
}

}  // namespace

Result<std::vector<NetworkPolicy>, Error> parse_policies(std::string_view yaml_text, const std::string& file) {
  Error error;
  bool ok = false;
  auto docs = load_documents(yaml_text, file, error, ok);
  if (!ok) return error;
  std::vector<NetworkPolicy> out;
  std::set<std::string> seen;
  try {
    for (std::size_t d = 0; d < docs.size(); ++d) {
      const Node& doc = docs[d];
      if (!doc || doc.IsNull()) continue;
      if (!doc.IsMap()) return located(file, d + 1, {"", "expected a map"});
      auto kind = scalar(doc["kind"], "kind");
      if (!kind) return located(file, d + 1, kind.error());
      std::vector<std::pair<Node, std::string>> objects;
      if (*kind == "List" || *kind == "NetworkPolicyList") {
        const Node items = doc["items"];
        if (!items || !items.IsSequence()) return located(file, d + 1, {"items", "expected a list"});
        for (std::size_t i = 0; i < items.size(); ++i) objects.emplace_back(items[i], index("items", i));
      } else {
        objects.emplace_back(doc, "");
      }
      for (auto& [obj, prefix] : objects) {
        auto k = scalar(obj["kind"], join(prefix, "kind"));
        if (!k) return located(file, d + 1, k.error());
        if (*k != "NetworkPolicy")
          return located(file, d + 1, {join(prefix, "kind"), "expected NetworkPolicy, got '" + *k + "'"});
        auto np = policy_of(obj);
        if (!np) {
          FieldError e = np.error();
          e.path = join(prefix, e.path);
          return located(file, d + 1, e);
        }
        np->origin = file + " document " + std::to_string(d + 1);
        if (!seen.insert(np->key()).second)
          return located(file, d + 1, {join(prefix, "metadata.name"), "duplicate policy " + np->key()});
        out.push_back(std::move(*np));
      }
    }
  } catch (const YAML::Exception& e) {
    return Error{file + ": " + e.msg};
  }
  return out;
}

Result<Inventory, Error> parse_inventory(std::string_view yaml_text, const std::string& file) {
  Error error;
  bool ok = false;
  auto docs = load_documents(yaml_text, file, error, ok);
  if (!ok) return error;
  Inventory inv;
  std::map<std::string, Namespace> namespaces;
  std::set<std::string> pod_keys;
  try {
    for (std::size_t d = 0; d < docs.size(); ++d) {
      const Node& doc = docs[d];
      if (!doc || doc.IsNull()) continue;
      if (!doc.IsMap()) return located(file, d + 1, {"", "expected a map with namespaces and pods"});
      for (const auto& kv : doc) {
        std::string key = kv.first.as<std::string>("");
        if (key != "namespaces" && key != "pods") return located(file, d + 1, {key, "unknown field"});
      }
      const Node nss = doc["namespaces"];
      if (nss && !nss.IsNull()) {
        if (!nss.IsSequence()) return located(file, d + 1, {"namespaces", "expected a list"});
        for (std::size_t i = 0; i < nss.size(); ++i) {
          std::string path = index("namespaces", i);
          if (!nss[i].IsMap()) return located(file, d + 1, {path, "expected a map"});
          auto name = scalar(nss[i]["name"], join(path, "name"));
          if (!name) return located(file, d + 1, name.error());
          if (!is_dns_label(*name)) return located(file, d + 1, {join(path, "name"), "not a valid namespace name"});
          auto labels = labels_of(nss[i]["labels"], join(path, "labels"));
          if (!labels) return located(file, d + 1, labels.error());
          Namespace ns{*name, *labels};
          ns.labels["kubernetes.io/metadata.name"] = *name;
          if (!namespaces.emplace(*name, ns).second)
            return located(file, d + 1, {join(path, "name"), "duplicate namespace " + *name});
        }
      }
      const Node pods = doc["pods"];
      if (pods && !pods.IsNull()) {
        if (!pods.IsSequence()) return located(file, d + 1, {"pods", "expected a list"});
        for (std::size_t i = 0; i < pods.size(); ++i) {
          auto pod = pod_of(pods[i], index("pods", i));
          if (!pod) return located(file, d + 1, pod.error());
          if (!pod_keys.insert(pod->key()).second)
            return located(file, d + 1, {index("pods", i), "duplicate pod " + pod->key()});
          inv.pods.push_back(std::move(*pod));
        }
      }
    }
  } catch (const YAML::Exception& e) {
    return Error{file + ": " + e.msg};
  }
  for (const auto& pod : inv.pods) {
    if (!namespaces.count(pod.ns))
      namespaces.emplace(pod.ns, Namespace{pod.ns, {{"kubernetes.io/metadata.name", pod.ns}}});
  }
  for (auto& [_, ns] : namespaces) inv.namespaces.push_back(std::move(ns));
  return inv;
}

Result<std::string, Error> read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{path + ": cannot open"};
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Error{path + ": read error"};
  return Result<std::string, Error>(boost::system::in_place_value, ss.str());
}

Result<Snapshot, Error> load_snapshot(const std::vector<std::string>& policy_files,
                                      const std::string& inventory_file) {
  Snapshot snap;
  std::set<std::string> keys;
  for (const auto& f : policy_files) {
    auto text = read_text_file(f);
    if (!text) return text.error();
    auto pols = parse_policies(*text, f);
    if (!pols) return pols.error();
    for (auto& p : *pols) {
      if (!keys.insert(p.key()).second) return Error{p.origin + ": duplicate policy " + p.key()};
      snap.policies.push_back(std::move(p));
    }
  }
  if (!inventory_file.empty()) {
    auto text = read_text_file(inventory_file);
    if (!text) return text.error();
    auto inv = parse_inventory(*text, inventory_file);
    if (!inv) return inv.error();
    snap.pods = std::move(inv->pods);
    snap.namespaces = std::move(inv->namespaces);
  }
  return snap;
}

}  // namespace petrel::policy
