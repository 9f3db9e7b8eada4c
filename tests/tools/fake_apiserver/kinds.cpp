// tests/tools/fake_apiserver/kinds.cpp — the kinds table and object placement.
#include "tests/tools/fake_apiserver/kinds.hpp"

#include <algorithm>
#include <cctype>

#include <map>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

namespace petrel::k8s::fake {

namespace json = boost::json;

std::string KindInfo::path(std::string_view ns) const {
  const std::string prefix = api_version == "v1" ? "/api/v1" : "/apis/" + std::string(api_version);
  if (per_namespace_path) return prefix + "/namespaces/" + std::string(ns) + "/" + std::string(resource);
  return prefix + "/" + std::string(resource);
}

const std::vector<KindInfo>& kinds() {
  static const std::vector<KindInfo> table = {
      {"Node", "v1", "nodes", false, false, "no"},
      {"Namespace", "v1", "namespaces", false, false, "ns"},
      {"Service", "v1", "services", true, false, "svc"},
      {"Pod", "v1", "pods", true, false, "po"},
      {"Secret", "v1", "secrets", true, true, ""},
      {"EndpointSlice", "discovery.k8s.io/v1", "endpointslices", true, false, ""},
      {"NetworkPolicy", "networking.k8s.io/v1", "networkpolicies", true, false, "netpol"},
  };
  return table;
}

bool is_collection_of(const KindInfo& kind, std::string_view path) {
  if (!kind.per_namespace_path) return path == kind.path();
  const std::string empty_ns = kind.path("");  // ".../namespaces//secrets"
  const std::string head = empty_ns.substr(0, empty_ns.find("//") + 1);
  const std::string tail = "/" + std::string(kind.resource);
  if (!path.starts_with(head) || !path.ends_with(tail) || path.size() <= head.size() + tail.size()) return false;
  const std::string_view ns = path.substr(head.size(), path.size() - head.size() - tail.size());
  return ns.find('/') == std::string_view::npos;
}

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

const json::string* string_field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? &v->as_string() : nullptr;
}

}  // namespace

const KindInfo* find_kind(std::string_view name) {
  const std::string n = lower(name);
  for (const KindInfo& k : kinds()) {
    if (n == lower(k.kind) || n == k.resource || (!k.short_name.empty() && n == k.short_name)) return &k;
  }
  return nullptr;
}

std::vector<std::pair<std::string, json::value>> discovery_documents(const std::string& server_address) {
  std::vector<std::pair<std::string, json::value>> out;
  out.emplace_back("/version", json::object{{"major", "1"},
                                            {"minor", "32"},
                                            {"gitVersion", "v1.32.1-petrel-fake-apiserver"},
                                            {"platform", "linux/amd64"}});
  out.emplace_back("/api", json::object{{"kind", "APIVersions"},
                                        {"versions", json::array{"v1"}},
                                        {"serverAddressByClientCIDRs",
                                         json::array{json::object{{"clientCIDR", "0.0.0.0/0"},
                                                                  {"serverAddress", server_address}}}}});
  std::map<std::string, json::array> resources;  // by group version
  for (const KindInfo& k : kinds()) {
    json::object r{{"name", k.resource},
                   {"singularName", lower(k.kind)},
                   {"namespaced", k.namespaced},
                   {"kind", k.kind},
                   {"verbs", json::array{"get", "list", "watch"}}};
    if (!k.short_name.empty()) r["shortNames"] = json::array{k.short_name};
    resources[std::string(k.api_version)].push_back(std::move(r));
  }
  json::array groups;
  for (auto& [group_version, list] : resources) {
    const std::string path = group_version == "v1" ? "/api/v1" : "/apis/" + group_version;
    out.emplace_back(path, json::object{{"kind", "APIResourceList"},
                                        {"apiVersion", "v1"},
                                        {"groupVersion", group_version},
                                        {"resources", list}});
    if (group_version == "v1") continue;
    const std::string group = group_version.substr(0, group_version.find('/'));
    const std::string version = group_version.substr(group_version.find('/') + 1);
    json::object gv{{"groupVersion", group_version}, {"version", version}};
    groups.push_back(json::object{{"name", group}, {"versions", json::array{gv}}, {"preferredVersion", gv}});
  }
  out.emplace_back("/apis", json::object{{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", groups}});
  return out;
}

std::optional<Placement> place(const json::object& object, std::string& error) {
  const json::string* kind = string_field(object, "kind");
  if (kind == nullptr) {
    error = "kind: a string is required";
    return std::nullopt;
  }
  const KindInfo* info = nullptr;
  for (const KindInfo& k : kinds())
    if (k.kind == std::string_view(*kind)) info = &k;
  if (info == nullptr) {
    error = "kind: \"" + std::string(*kind) + "\" is not served (Node, Namespace, Service, Pod, Secret, EndpointSlice, NetworkPolicy)";
    return std::nullopt;
  }
  const std::string what(info->kind);
  const json::string* api = string_field(object, "apiVersion");
  if (api == nullptr || std::string_view(*api) != info->api_version) {
    error = what + ": apiVersion: \"" + std::string(info->api_version) + "\" is required";
    return std::nullopt;
  }
  const json::value* meta_v = object.if_contains("metadata");
  if (meta_v == nullptr || !meta_v->is_object()) {
    error = what + ": metadata: an object is required";
    return std::nullopt;
  }
  const json::object& meta = meta_v->as_object();
  const json::string* name = string_field(meta, "name");
  if (name == nullptr || name->empty()) {
    error = what + ": metadata.name: a string is required";
    return std::nullopt;
  }
  const json::string* ns = string_field(meta, "namespace");
  if (info->namespaced && (ns == nullptr || ns->empty())) {
    error = what + " " + std::string(*name) + ": metadata.namespace: a string is required";
    return std::nullopt;
  }
  if (!info->namespaced && ns != nullptr && !ns->empty()) {
    error = what + " " + std::string(*name) + ": metadata.namespace: a " + what + " is not namespaced";
    return std::nullopt;
  }
  Placement p;
  p.kind = info;
  p.path = info->path(ns ? std::string_view(*ns) : std::string_view());
  p.key = info->namespaced ? std::string(*ns) + "/" + std::string(*name) : std::string(*name);
  return p;
}

std::vector<json::object> objects_of(const json::object& document, std::string& error) {
  const json::string* kind = string_field(document, "kind");
  if (kind == nullptr || !(kind->ends_with("List"))) return {document};
  const json::value* items = document.if_contains("items");
  if (items == nullptr || !items->is_array()) {
    error = std::string(*kind) + ": items: an array is required";
    return {};
  }
  std::vector<json::object> out;
  std::size_t i = 0;
  for (const json::value& item : items->as_array()) {
    if (!item.is_object()) {
      error = std::string(*kind) + ": items[" + std::to_string(i) + "]: an object is required";
      return {};
    }
    json::object o = item.as_object();
    // A typed list's items may leave kind and apiVersion to the list.
    if (!o.contains("kind") && *kind != "List") o["kind"] = kind->subview(0, kind->size() - 4);
    if (!o.contains("apiVersion") && document.contains("apiVersion")) o["apiVersion"] = document.at("apiVersion");
    out.push_back(std::move(o));
    ++i;
  }
  return out;
}

}  // namespace petrel::k8s::fake
