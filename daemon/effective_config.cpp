// daemon/effective_config.cpp — the file's Config plus the derived cluster state (see the header).
#include "daemon/effective_config.hpp"

#include <algorithm>
#include <charconv>

#include <yaml-cpp/yaml.h>

namespace petrel::daemon {

namespace {

// "244.0.0.1" or a number 1..2^32-1, as the file's cluster-id.
std::optional<uint32_t> parse_cluster_id(std::string_view text) {
  if (text.find('.') != std::string_view::npos) {
    auto ip = IpAddress::parse(text);
    if (!ip || !ip->is_v4()) return std::nullopt;
    return ip->v4_value();
  }
  uint32_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || v == 0) return std::nullopt;
  return v;
}

bool has_policy(const Config& c, std::string_view name) { return c.policies.find(std::string(name)) != nullptr; }

PeerConfig peer_from(const k8s::DesiredPeer& d, const Config& file) {
  PeerConfig p;
  p.name = d.name;
  p.address = d.address;
  p.remote_as_kind = RemoteAsKind::exact;
  p.remote_as = d.remote_as;
  p.families = {d.address.is_v4() ? bgp::wire::Family::ipv4_unicast : bgp::wire::Family::ipv6_unicast};
  p.route_reflector_client = d.role == k8s::PeerRole::reflector_client;
  p.graceful_restart = GracefulRestartConfig{};
  if (d.role == k8s::PeerRole::external) {
    if (has_policy(file, kubernetes_import_policy)) p.import_policy = std::string(kubernetes_import_policy);
    if (has_policy(file, kubernetes_export_policy)) p.export_policy = std::string(kubernetes_export_policy);
  }
  return p;
}

}  // namespace

EffectiveConfig build_effective_config(const Config& file, const std::optional<k8s::Derived>& derived,
                                       const SecretLookup& secrets) {
  EffectiveConfig out{file, {}};
  if (!derived || !derived->node_known) return out;
  Config& c = out.config;
  const k8s::Derived& d = *derived;

  c.local_as = d.local_as;
  if (d.route_reflector && d.cluster_id) {
    const auto id = parse_cluster_id(*d.cluster_id);
    if (!id) {
      out.notes.push_back("cluster id \"" + *d.cluster_id + "\" is not an IPv4 address or a number: the router id serves");
    } else if (file.cluster_id && *file.cluster_id != *id) {
      out.notes.push_back("cluster id " + *d.cluster_id + " from the node: the file's cluster-id wins");
    } else {
      c.cluster_id = *id;
    }
  }

  for (const k8s::Announcement& a : d.announcements) {
    const bool in_file = std::any_of(file.originate.begin(), file.originate.end(),
                                     [&](const Originate& o) { return o.prefix == a.prefix; });
    if (in_file) {
      out.notes.push_back("announcement " + a.prefix.to_string() + ": the file's originate entry wins");
      continue;
    }
    Originate o;
    o.prefix = a.prefix;
    o.blackhole = a.blackhole;
    c.originate.push_back(std::move(o));
  }

  for (const k8s::DesiredPeer& dp : d.peers) {
    const std::string who = "peer " + dp.name + " (" + dp.address.to_string() + ")";
    if (!valid_peer_name(dp.name)) {
      out.notes.push_back(who + ": not a valid peer name (letters, digits, _ . -, at most 64): not configured");
      continue;
    }
    if (file.peer(dp.name)) {
      out.notes.push_back(who + ": a peer of that name is in the file; the file's wins");
      continue;
    }
    const auto same_address = std::find_if(file.peers.begin(), file.peers.end(), [&](const PeerConfig& p) {
      return p.address && *p.address == dp.address;
    });
    if (same_address != file.peers.end()) {
      out.notes.push_back(who + ": the file's peer " + same_address->name + " has that address and wins");
      continue;
    }
    PeerConfig p = peer_from(dp, file);
    if (dp.password) {
      std::optional<std::string> value = secrets ? secrets(*dp.password) : std::nullopt;
      if (!value || value->empty()) {
        out.notes.push_back(who + ": waits for its password, Secret " + dp.password->to_string() + " is not readable yet");
        continue;
      }
      p.password = Secret{"secret " + dp.password->to_string(), std::move(*value)};
    }
    if (dp.role == k8s::PeerRole::external && p.export_policy.empty() && p.remote_as != c.local_as)
      out.notes.push_back(who + ": eBGP without a " + std::string(kubernetes_export_policy) +
                          " policy in the file: nothing is exported (RFC 8212)");
    c.peers.push_back(std::move(p));
  }
  return out;
}

Result<k8s::KubernetesConfig, std::string> kubernetes_section(const Config& file) {
  if (file.kubernetes_yaml.empty()) return k8s::KubernetesConfig{};
  YAML::Node section;
  try {
    section = YAML::Load(file.kubernetes_yaml);
  } catch (const YAML::Exception& e) {
    return Result<k8s::KubernetesConfig, std::string>(boost::system::in_place_error,
                                                      file.file + ": kubernetes: " + e.msg);
  }
  // The file's reader substituted ${NAME} already: no second lookup.
  const k8s::EnvLookup no_env = [](const std::string&) { return std::optional<std::string>(); };
  auto parsed = k8s::parse_kubernetes_config(section, file.file, no_env);
  if (!parsed) {
    k8s::ConfigError e = parsed.error();
    e.line = e.column = 0;  // positions in the re-emitted section, not in the file: the key path says where
    return Result<k8s::KubernetesConfig, std::string>(boost::system::in_place_error, e.to_string());
  }
  return *parsed;
}

}  // namespace petrel::daemon
