// k8s/config.cpp — the `kubernetes:` YAML section → KubernetesConfig.
//
// Inside this file a mistake is reported by throwing Failure, caught (with any
// YAML::Exception) at the edge, parse_kubernetes_config(), which returns a
// ConfigError. Nothing escapes to callers.
#include "k8s/config.hpp"

#include <charconv>
#include <cstdlib>
#include <set>

namespace petrel::k8s {

ConfigError ConfigError::at(std::string_view file, const YAML::Mark& mark, std::string key, std::string message) {
  ConfigError e;
  e.file = std::string(file);
  if (!mark.is_null()) {
    e.line = mark.line + 1;
    e.column = mark.column + 1;
  }
  e.key = std::move(key);
  e.message = std::move(message);
  return e;
}

std::string ConfigError::to_string() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line) + ":" + std::to_string(column);
  out += ": ";
  if (!key.empty()) out += key + ": ";
  return out + message;
}

std::optional<std::string> process_env(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

namespace {

struct Failure {
  YAML::Mark mark;
  std::string key;
  std::string message;
};

[[noreturn]] void fail(const YAML::Node& at, const std::string& key, std::string message) {
  throw Failure{at.Mark(), key, std::move(message)};
}

const std::string& scalar(const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) fail(n, key, "must be a single value");
  return n.Scalar();
}

bool boolean(const YAML::Node& n, const std::string& key) {
  const std::string& s = scalar(n, key);
  if (s == "true" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "no" || s == "off") return false;
  fail(n, key, "must be true or false, got \"" + s + "\"");
}

uint32_t as_number(const YAML::Node& n, const std::string& key) {
  const std::string& s = scalar(n, key);
  uint32_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || v == 0)
    fail(n, key, "must be an AS number 1..4294967295, got \"" + s + "\"");
  return v;
}

std::vector<Prefix> prefixes(const YAML::Node& n, const std::string& key) {
  if (!n.IsSequence()) fail(n, key, "must be a list of prefixes");
  std::vector<Prefix> out;
  for (std::size_t i = 0; i < n.size(); ++i) {
    const std::string k = key + "[" + std::to_string(i) + "]";
    const std::string& s = scalar(n[i], k);
    auto p = Prefix::parse(s, /*require_canonical=*/true);
    if (!p) fail(n[i], k, "\"" + s + "\" is not a prefix without host bits");
    out.push_back(*p);
  }
  return out;
}

// Checks that every key of map `n` is one of `allowed`.
void only_keys(const YAML::Node& n, const std::string& key, std::initializer_list<std::string_view> allowed) {
  if (!n.IsMap()) fail(n, key, "must be a map");
  for (const auto& kv : n) {
    const std::string& k = scalar(kv.first, key);
    bool ok = false;
    for (auto a : allowed) ok = ok || a == k;
    if (!ok) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      fail(kv.first, key.empty() ? k : key + "." + k, "unknown key (expected one of: " + list + ")");
    }
  }
}

std::string expand_env(const YAML::Node& n, const std::string& key, const EnvLookup& env) {
  const std::string& s = scalar(n, key);
  if (s.size() > 3 && s.rfind("${", 0) == 0 && s.back() == '}') {
    const std::string var = s.substr(2, s.size() - 3);
    auto v = env(var);
    if (!v || v->empty()) fail(n, key, "environment variable " + var + " is not set");
    return *v;
  }
  return s;
}

ExternalPeerConfig peer(const YAML::Node& n, const std::string& key, const std::string& secret_namespace) {
  only_keys(n, key, {"name", "address", "remote-as", "node-selector", "password-secret"});
  ExternalPeerConfig p;
  if (!n["name"]) fail(n, key + ".name", "is required");
  p.name = scalar(n["name"], key + ".name");
  if (!n["address"]) fail(n, key + ".address", "is required");
  const std::string& addr = scalar(n["address"], key + ".address");
  auto ip = IpAddress::parse(addr);
  if (!ip) fail(n["address"], key + ".address", "\"" + addr + "\" is not an IP address");
  p.address = *ip;
  if (!n["remote-as"]) fail(n, key + ".remote-as", "is required");
  p.remote_as = as_number(n["remote-as"], key + ".remote-as");
  if (n["node-selector"]) {
    auto sel = parse_label_selector(scalar(n["node-selector"], key + ".node-selector"));
    if (!sel) fail(n["node-selector"], key + ".node-selector", sel.error().message);
    p.node_selector = *sel;
  }
  if (const YAML::Node s = n["password-secret"]) {
    const std::string sk = key + ".password-secret";
    only_keys(s, sk, {"namespace", "name", "key"});
    if (!s["name"]) fail(s, sk + ".name", "is required");
    if (!s["key"]) fail(s, sk + ".key", "is required");
    SecretKeyRef ref;
    ref.namespace_ = s["namespace"] ? scalar(s["namespace"], sk + ".namespace") : secret_namespace;
    ref.name = scalar(s["name"], sk + ".name");
    ref.key = scalar(s["key"], sk + ".key");
    p.password = ref;
  }
  return p;
}

KubernetesConfig parse(const YAML::Node& n, const EnvLookup& env) {
  KubernetesConfig c;
  if (!n || n.IsNull()) return c;
  const std::string k = "kubernetes";
  only_keys(n, k,
            {"enabled", "kubeconfig", "node-name", "node-mesh", "advertise", "as-number-annotation",
             "route-reflector-label", "cluster-id-annotation", "peers-annotation", "secret-namespace", "peers"});
  if (n["enabled"]) c.enabled = boolean(n["enabled"], k + ".enabled");
  if (n["kubeconfig"] && !n["kubeconfig"].IsNull()) c.kubeconfig = expand_env(n["kubeconfig"], k + ".kubeconfig", env);
  if (n["node-name"]) c.node_name = expand_env(n["node-name"], k + ".node-name", env);
  if (n["node-mesh"]) c.node_mesh = boolean(n["node-mesh"], k + ".node-mesh");
  if (const YAML::Node a = n["advertise"]) {
    const std::string ak = k + ".advertise";
    only_keys(a, ak, {"pod-cidrs", "cluster-ips", "external-ips", "load-balancer-ips"});
    if (a["pod-cidrs"]) c.advertise_pod_cidrs = boolean(a["pod-cidrs"], ak + ".pod-cidrs");
    if (a["cluster-ips"]) c.cluster_ip_ranges = prefixes(a["cluster-ips"], ak + ".cluster-ips");
    if (a["external-ips"]) c.external_ip_ranges = prefixes(a["external-ips"], ak + ".external-ips");
    if (a["load-balancer-ips"]) c.load_balancer_ip_ranges = prefixes(a["load-balancer-ips"], ak + ".load-balancer-ips");
  }
  auto text = [&](const char* key, std::string& out) {
    if (!n[key]) return;
    out = scalar(n[key], k + "." + key);
    if (out.empty()) fail(n[key], k + "." + key, "must not be empty");
  };
  text("as-number-annotation", c.as_number_annotation);
  text("route-reflector-label", c.route_reflector_label);
  text("cluster-id-annotation", c.cluster_id_annotation);
  text("peers-annotation", c.peers_annotation);
  text("secret-namespace", c.secret_namespace);
  if (const YAML::Node ps = n["peers"]) {
    if (!ps.IsSequence()) fail(ps, k + ".peers", "must be a list");
    std::set<std::string> names;
    for (std::size_t i = 0; i < ps.size(); ++i) {
      const std::string pk = k + ".peers[" + std::to_string(i) + "]";
      c.peers.push_back(peer(ps[i], pk, c.secret_namespace));
      if (!names.insert(c.peers.back().name).second)
        fail(ps[i]["name"], pk + ".name", "duplicate peer name \"" + c.peers.back().name + "\"");
    }
  }
  if (c.enabled && c.node_name.empty()) fail(n, k + ".node-name", "is required when enabled");
  return c;
}

ConfigError to_error(std::string_view file, const YAML::Mark& mark, std::string key, std::string message) {
  return ConfigError::at(file, mark, std::move(key), std::move(message));
}

}  // namespace

Result<KubernetesConfig, ConfigError> parse_kubernetes_config(const YAML::Node& section, std::string_view file,
                                                              const EnvLookup& env) {
  try {
    return parse(section, env);
  } catch (const Failure& f) {
    return to_error(file, f.mark, f.key, f.message);
  } catch (const YAML::Exception& e) {
    return to_error(file, e.mark, "kubernetes", e.msg);
  } catch (const std::exception& e) {
    return to_error(file, YAML::Mark::null_mark(), "kubernetes", e.what());
  }
}

Result<KubernetesConfig, ConfigError> parse_kubernetes_config_text(std::string_view yaml, std::string_view file,
                                                                   const EnvLookup& env) {
  try {
    const YAML::Node root = YAML::Load(std::string(yaml));
    if (root && !root.IsNull() && !root.IsMap()) return to_error(file, root.Mark(), "", "the document must be a map");
    return parse_kubernetes_config(root["kubernetes"], file, env);
  } catch (const YAML::Exception& e) {
    return to_error(file, e.mark, "", e.msg);
  }
}

}  // namespace petrel::k8s
