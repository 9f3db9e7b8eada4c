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

}  // namespace

Result<PolicyConfig, Error> parse_config(const std::string& text, const std::string& file) {
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
                                              "families", "metrics"};
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
    if (auto l = root["log-level"]) cfg.log_level = l.as<std::string>();
    if (auto m = root["metrics"]) {
      cfg.metrics_address = m.IsNull() ? "" : m.as<std::string>();
      if (!cfg.metrics_address.empty() && cfg.metrics_address.find(':') == std::string::npos)
        return Error{file + ": metrics: expected HOST:PORT, e.g. 127.0.0.1:9470"};
    }
  } catch (const YAML::Exception& e) {
    return Error{file + ": line " + std::to_string(e.mark.line + 1) + ": " + e.msg};
  }
  return cfg;
}

Result<PolicyConfig, Error> load_config(const std::string& file) {
  auto text = read_text_file(file);
  if (!text) return text.error();
  return parse_config(*text, file);
}

}  // namespace petrel::policy
