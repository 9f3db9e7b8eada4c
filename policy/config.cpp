#include "policy/config.hpp"

#include "policy/manifest.hpp"

#include <yaml-cpp/yaml.h>

#include <set>

namespace petrel::policy {
namespace {

std::string resolve(const std::string& base_dir, const std::string& path) {
  if (path.empty() || path.front() == '/' || base_dir.empty()) return path;
  return base_dir + "/" + path;
}

Result<double, Error> seconds(const YAML::Node& n, const std::string& where) {
  try {
    double v = n.as<double>();
    if (!(v > 0 && v < 86400)) return Error{where + ": must be between 0 and 86400 seconds"};
    return v;
  } catch (const YAML::Exception&) {
    return Error{where + ": expected a number of seconds"};
  }
}

Result<std::string, Error> text_of(const YAML::Node& n, const std::string& where) {
  using R = Result<std::string, Error>;
  if (n.IsNull()) return R(boost::system::in_place_value, std::string());
  if (!n.IsScalar()) return Error{where + ": expected a single value"};
  return R(boost::system::in_place_value, n.Scalar());
}

// The `kubernetes:` section.
Result<PolicyKubernetesConfig, Error> kubernetes_of(const YAML::Node& k, const std::string& file,
                                                    const std::string& dir, const k8s::EnvLookup& env) {
  PolicyKubernetesConfig out;
  const std::string where = file + ": kubernetes";
  if (k.IsNull()) return out;
  if (!k.IsMap()) return Error{where + ": expected a map"};
  static const std::set<std::string> known = {"enabled", "kubeconfig", "context", "node-name", "sync-timeout"};
  for (const auto& kv : k) {
    std::string key = kv.first.as<std::string>();
    if (!known.count(key))
      return Error{where + "." + key + ": unknown field (enabled, kubeconfig, context, node-name, sync-timeout)"};
  }
  if (auto e = k["enabled"]) {
    auto t = text_of(e, where + ".enabled");
    if (!t) return t.error();
    if (*t == "true") out.enabled = true;
    else if (*t == "false") out.enabled = false;
    else return Error{where + ".enabled: expected true or false, got '" + *t + "'"};
  }
  if (auto c = k["kubeconfig"]) {
    auto t = text_of(c, where + ".kubeconfig");
    if (!t) return t.error();
    out.kubeconfig = resolve(dir, *t);
  }
  if (auto c = k["context"]) {
    auto t = text_of(c, where + ".context");
    if (!t) return t.error();
    out.context = *t;
  }
  if (auto n = k["node-name"]) {
    auto t = text_of(n, where + ".node-name");
    if (!t) return t.error();
    out.node_name = *t;
    // "${VAR}": from the environment (the DaemonSet sets NODE_NAME from spec.nodeName);
    // read only when the section is enabled, so a disabled one needs no variable.
    if (!out.enabled) {
      // kept as written
    } else if (t->size() > 3 && t->rfind("${", 0) == 0 && t->back() == '}') {
      const std::string var = t->substr(2, t->size() - 3);
      auto v = env(var);
      if (!v || v->empty()) return Error{where + ".node-name: environment variable " + var + " is not set"};
      out.node_name = *v;
    } else if (t->find("${") != std::string::npos) {
      return Error{where + ".node-name: write the whole value as ${VAR}"};
    }
  }
  if (auto s = k["sync-timeout"]) {
    auto v = seconds(s, where + ".sync-timeout");
    if (!v) return v.error();
    out.sync_timeout_s = *v;
  }
  return out;
}

}  // namespace

Result<PolicyConfig, Error> parse_config(const std::string& text, const std::string& file,
                                         const k8s::EnvLookup& env) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Error{file + ": line " + std::to_string(e.mark.line + 1) + ": " + e.msg};
  }
  PolicyConfig cfg;
  if (!root || root.IsNull()) return cfg;
  if (!root.IsMap()) return Error{file + ": expected a map"};
  std::string dir;
  if (auto slash = file.rfind('/'); slash != std::string::npos) dir = file.substr(0, slash);
  static const std::set<std::string> known = {"policies", "inventory", "resync-period", "resync-after-write",
                                              "iptables-backend", "mark-bit", "drop-log", "log-level",
                                              "families", "metrics", "kubernetes"};
  try {
    for (const auto& kv : root) {
      std::string key = kv.first.as<std::string>();
      if (!known.count(key)) return Error{file + ": " + key + ": unknown field"};
    }
    if (auto p = root["policies"]) {
      if (p.IsScalar()) cfg.policy_files.push_back(resolve(dir, p.as<std::string>()));
      else if (p.IsSequence())
        for (const auto& f : p) cfg.policy_files.push_back(resolve(dir, f.as<std::string>()));
      else return Error{file + ": policies: expected a file name or a list of them"};
    }
    if (auto i = root["inventory"]) cfg.inventory_file = resolve(dir, i.as<std::string>());
    if (auto r = root["resync-period"]) {
      auto s = seconds(r, file + ": resync-period");
      if (!s) return s.error();
      cfg.resync_period_s = *s;
    }
    if (auto r = root["resync-after-write"]) {
      auto s = seconds(r, file + ": resync-after-write");
      if (!s) return s.error();
      cfg.resync_after_write_s = *s;
    }
    if (auto b = root["iptables-backend"]) {
      cfg.backend = b.as<std::string>();
      if (cfg.backend != "auto" && cfg.backend != "nft" && cfg.backend != "legacy")
        return Error{file + ": iptables-backend: expected auto, nft or legacy"};
    }
    if (auto f = root["families"]) {
      if (!f.IsSequence() || f.size() == 0) return Error{file + ": families: expected a list of ipv4, ipv6"};
      cfg.families.clear();
      for (const auto& item : f) {
        std::string name = item.as<std::string>();
        if (name == "ipv4") cfg.families.push_back(AddressFamily::ipv4);
        else if (name == "ipv6") cfg.families.push_back(AddressFamily::ipv6);
        else return Error{file + ": families: unknown family '" + name + "' (ipv4, ipv6)"};
      }
    }
    if (auto m = root["mark-bit"]) {
      uint32_t v = m.as<uint32_t>();
      if (v == 0 || (v & (v - 1)) != 0) return Error{file + ": mark-bit: expected a single bit, e.g. 0x10000"};
      cfg.compile.mark_bit = v;
    }
    if (auto d = root["drop-log"]) {
      if (!d.IsMap()) return Error{file + ": drop-log: expected a map"};
      cfg.compile.drop_log = d["enabled"].as<bool>(false);
      cfg.compile.log_rate = d["rate"].as<std::string>(cfg.compile.log_rate);
      if (cfg.compile.log_rate.find_first_not_of("0123456789/secondminutehourday") != std::string::npos)
        return Error{file + ": drop-log.rate: expected N/second, N/minute, N/hour or N/day"};
      cfg.compile.log_burst = d["burst"].as<unsigned>(cfg.compile.log_burst);
      std::string target = d["target"].as<std::string>("LOG");
      if (target != "LOG" && target != "NFLOG") return Error{file + ": drop-log.target: expected LOG or NFLOG"};
      cfg.compile.nflog = target == "NFLOG";
      cfg.compile.nflog_group = d["nflog-group"].as<unsigned>(0);
    }
    if (auto k = root["kubernetes"]) {
      auto kc = kubernetes_of(k, file, dir, env);
      if (!kc) return kc.error();
      cfg.kubernetes = *kc;
    }
    if (auto l = root["log-level"]) cfg.log_level = l.as<std::string>();
    if (auto m = root["metrics"]) {
      cfg.metrics_address = m.IsNull() ? "" : m.as<std::string>();
      if (!cfg.metrics_address.empty() && cfg.metrics_address.find(':') == std::string::npos)
        return Error{file + ": metrics: expected HOST:PORT, e.g. 127.0.0.1:9470"};
    }
  } catch (const YAML::Exception& e) {
    return Error{file + ": line " + std::to_string(e.mark.line + 1) + ": " + e.msg};
  }
  // Exactly one source of truth: files or the cluster.
  const bool standalone = !cfg.policy_files.empty() || !cfg.inventory_file.empty();
  if (cfg.kubernetes.enabled && standalone)
    return Error{file + ": policies and inventory are standalone mode; with kubernetes.enabled: true the cluster "
                        "is the only input (remove them, or set kubernetes.enabled: false)"};
  if (!cfg.kubernetes.enabled && !standalone)
    return Error{file + ": nothing to enforce: give policies and inventory (standalone mode) or "
                        "kubernetes: {enabled: true}"};
  return cfg;
}

Result<PolicyConfig, Error> load_config(const std::string& file, const k8s::EnvLookup& env) {
  auto text = read_text_file(file);
  if (!text) return text.error();
  return parse_config(*text, file, env);
}

}  // namespace petrel::policy
