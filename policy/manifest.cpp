#include "policy/manifest.hpp"

#include "policy/policy_reader.hpp"

#include <fstream>
#include <set>
#include <sstream>

namespace petrel::policy {
namespace {

using Node = DocNode;

std::string join(const std::string& path, const std::string& key) { return field_path(path, key); }
std::string index(const std::string& path, std::size_t i) { return index_path(path, i); }

Result<NetworkPolicy, FieldError> policy_of(const Node& doc) {
  auto api = read_scalar(doc["apiVersion"], "apiVersion");
  if (!api) return api.error();
  if (*api != "networking.k8s.io/v1")
    return FieldError{"apiVersion", "expected networking.k8s.io/v1, got '" + *api + "'"};
  const Node& meta = doc["metadata"];
  if (!meta.is_map()) return FieldError{"metadata", "missing"};
  auto name = read_scalar(meta["name"], "metadata.name");
  if (!name) return name.error();
  std::string ns = "default";  // kubectl apply without -n
  if (meta["namespace"]) {
    auto given = read_scalar(meta["namespace"], "metadata.namespace");
    if (!given) return given.error();
    ns = *given;
  }
  if (!is_dns_label(ns)) return FieldError{"metadata.namespace", "'" + ns + "' is not a valid namespace name"};
  return read_policy_spec(doc["spec"], ns, *name);
}

Error located(const std::string& file, std::size_t doc, const FieldError& e) {
  std::string where = file + ": document " + std::to_string(doc);
  if (!e.path.empty()) where += ": " + e.path;
  return Error{where + ": " + e.message};
}

Result<ContainerPort, FieldError> container_port_of(const Node& node, const std::string& path) {
  if (!node.is_map()) return FieldError{path, "expected a map"};
  ContainerPort cp;
  if (node["name"]) {
    auto n = read_scalar(node["name"], join(path, "name"));
    if (!n) return n.error();
    cp.name = *n;
  }
  const Node& port = node["containerPort"] ? node["containerPort"] : node["port"];
  auto n = read_number(port, join(path, "containerPort"), 1, 65535);
  if (!n) return n.error();
  cp.port = static_cast<uint16_t>(*n);
  auto proto = read_protocol(node["protocol"], join(path, "protocol"));
  if (!proto) return proto.error();
  cp.protocol = *proto;
  return cp;
}

Result<Pod, FieldError> pod_of(const Node& node, const std::string& path) {
  if (!node.is_map()) return FieldError{path, "expected a map"};
  Pod pod;
  auto name = read_scalar(node["name"], join(path, "name"));
  if (!name) return name.error();
  pod.name = *name;
  auto ns = read_scalar(node["namespace"], join(path, "namespace"));
  if (!ns) return ns.error();
  if (!is_dns_label(*ns)) return FieldError{join(path, "namespace"), "'" + *ns + "' is not a valid namespace name"};
  pod.ns = *ns;
  auto labels = read_labels(node["labels"], join(path, "labels"));
  if (!labels) return labels.error();
  pod.labels = *labels;
  const Node& ips = node["ips"];
  if (!ips.absent()) {
    if (!ips.is_sequence()) return FieldError{join(path, "ips"), "expected a list"};
    for (std::size_t i = 0; i < ips.size(); ++i) {
      auto t = read_scalar(ips[i], index(join(path, "ips"), i));
      if (!t) return t.error();
      auto ip = IpAddress::parse(*t);
      if (!ip) return FieldError{index(join(path, "ips"), i), "'" + *t + "' is not an IP address"};
      pod.ips.push_back(*ip);
    }
  }
  const Node& ports = node["ports"];
  if (!ports.absent()) {
    if (!ports.is_sequence()) return FieldError{join(path, "ports"), "expected a list"};
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
  auto loaded = load_yaml_documents(yaml_text, file);
  if (!loaded) return loaded.error();
  const std::vector<Node>& docs = *loaded;
  std::vector<NetworkPolicy> out;
  std::set<std::string> seen;
  for (std::size_t d = 0; d < docs.size(); ++d) {
    const Node& doc = docs[d];
    if (doc.absent()) continue;
    if (!doc.is_map()) return located(file, d + 1, {"", "expected a map"});
    auto kind = read_scalar(doc["kind"], "kind");
    if (!kind) return located(file, d + 1, kind.error());
    std::vector<std::pair<const Node*, std::string>> objects;
    if (*kind == "List" || *kind == "NetworkPolicyList") {
      const Node& items = doc["items"];
      if (!items.is_sequence()) return located(file, d + 1, {"items", "expected a list"});
      for (std::size_t i = 0; i < items.size(); ++i) objects.emplace_back(&items[i], index("items", i));
    } else {
      objects.emplace_back(&doc, "");
    }
    for (auto& [obj, prefix] : objects) {
      auto k = read_scalar((*obj)["kind"], join(prefix, "kind"));
      if (!k) return located(file, d + 1, k.error());
      if (*k != "NetworkPolicy")
        return located(file, d + 1, {join(prefix, "kind"), "expected NetworkPolicy, got '" + *k + "'"});
      auto np = policy_of(*obj);
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
  return out;
}

Result<Inventory, Error> parse_inventory(std::string_view yaml_text, const std::string& file) {
  auto loaded = load_yaml_documents(yaml_text, file);
  if (!loaded) return loaded.error();
  const std::vector<Node>& docs = *loaded;
  Inventory inv;
  std::map<std::string, Namespace> namespaces;
  std::set<std::string> pod_keys;
  for (std::size_t d = 0; d < docs.size(); ++d) {
    const Node& doc = docs[d];
    if (doc.absent()) continue;
    if (!doc.is_map()) return located(file, d + 1, {"", "expected a map with namespaces and pods"});
    for (const auto& [key, _] : doc.fields()) {
      if (key != "namespaces" && key != "pods") return located(file, d + 1, {key, "unknown field"});
    }
    const Node& nss = doc["namespaces"];
    if (!nss.absent()) {
      if (!nss.is_sequence()) return located(file, d + 1, {"namespaces", "expected a list"});
      for (std::size_t i = 0; i < nss.size(); ++i) {
        std::string path = index("namespaces", i);
        if (!nss[i].is_map()) return located(file, d + 1, {path, "expected a map"});
        auto name = read_scalar(nss[i]["name"], join(path, "name"));
        if (!name) return located(file, d + 1, name.error());
        if (!is_dns_label(*name)) return located(file, d + 1, {join(path, "name"), "not a valid namespace name"});
        auto labels = read_labels(nss[i]["labels"], join(path, "labels"));
        if (!labels) return located(file, d + 1, labels.error());
        Namespace ns{*name, *labels};
        ns.labels["kubernetes.io/metadata.name"] = *name;
        if (!namespaces.emplace(*name, ns).second)
          return located(file, d + 1, {join(path, "name"), "duplicate namespace " + *name});
      }
    }
    const Node& pods = doc["pods"];
    if (!pods.absent()) {
      if (!pods.is_sequence()) return located(file, d + 1, {"pods", "expected a list"});
      for (std::size_t i = 0; i < pods.size(); ++i) {
        auto pod = pod_of(pods[i], index("pods", i));
        if (!pod) return located(file, d + 1, pod.error());
        if (!pod_keys.insert(pod->key()).second)
          return located(file, d + 1, {index("pods", i), "duplicate pod " + pod->key()});
        inv.pods.push_back(std::move(*pod));
      }
    }
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
