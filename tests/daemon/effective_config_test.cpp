// The effective configuration: the file's Config plus what Kubernetes derives,
// as tables of (derived state, secrets) -> peers, originates, notes. Also the
// kubernetes section read from a loaded Config, and `show k8s` laid out.
#include "daemon/effective_config.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <unistd.h>
#include <map>

#include <yaml-cpp/yaml.h>

#include "daemon/config_diff.hpp"
#include "daemon/k8s_show.hpp"

using namespace petrel;
using namespace petrel::daemon;

namespace {

const std::string kFile = R"(router-id: 10.0.0.11
local-as: 64512
listen: [0.0.0.0]
originate:
  - {prefix: 10.244.9.0/24, blackhole: false, communities: ["64512:7"]}
peers:
  - name: tor1
    address: 10.0.0.1
    remote-as: 65001
    graceful-restart: {restart-time: 60}
    export: {policy: to-tor}
policies:
  to-tor: [{action: accept}]
  kubernetes-export: [{action: accept}]
kubernetes:
  enabled: true
  node-name: node-a
  advertise: {pod-cidrs: true, cluster-ips: [10.96.0.0/12]}
)";

Config file_config(const std::string& text = kFile) {
  auto r = parse_config(text, "petrel.yaml");
  if (!r.has_value()) FAIL("unexpected error: " << r.error().to_string());
  return std::move(*r);
}

Prefix P(const char* s) { return *Prefix::parse(s); }
IpAddress A(const char* s) { return *IpAddress::parse(s); }

k8s::DesiredPeer peer(const char* name, const char* address, uint32_t as, k8s::PeerRole role,
                      std::optional<k8s::SecretKeyRef> password = std::nullopt) {
  k8s::DesiredPeer p;
  p.name = name;
  p.address = A(address);
  p.remote_as = as;
  p.role = role;
  p.password = std::move(password);
  p.origin = "test";
  return p;
}

// A node with a pod CIDR, a service aggregate, two mesh peers.
k8s::Derived base_derived() {
  k8s::Derived d;
  d.node_known = true;
  d.local_as = 64512;
  d.announcements = {{P("10.96.0.0/12"), false, {"config"}}, {P("10.244.1.0/24"), true, {"node node-a spec.podCIDRs"}}};
  d.peers = {peer("node-b", "10.0.0.12", 64512, k8s::PeerRole::mesh), peer("node-c", "10.0.0.13", 64512, k8s::PeerRole::mesh)};
  return d;
}

const PeerConfig* find_peer(const Config& c, const std::string& name) { return c.peer(name); }

const Originate* find_originate(const Config& c, const char* prefix) {
  for (const auto& o : c.originate)
    if (o.prefix == P(prefix)) return &o;
  return nullptr;
}

bool has_note(const EffectiveConfig& e, const std::string& part) {
  return std::any_of(e.notes.begin(), e.notes.end(), [&](const std::string& n) { return n.find(part) != std::string::npos; });
}

SecretLookup secrets(std::map<std::string, std::string> values) {
  return [values](const k8s::SecretKeyRef& r) -> std::optional<std::string> {
    auto it = values.find(r.to_string());
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace

TEST_CASE("nothing derived yet (nodes not listed, or this node unknown): the file's configuration as it is") {
  const Config file = file_config();
  for (const std::optional<k8s::Derived>& d : {std::optional<k8s::Derived>{}, std::optional<k8s::Derived>{k8s::Derived{}}}) {
    const EffectiveConfig e = build_effective_config(file, d, secrets({}));
    CHECK(equivalent(e.config, file));
    CHECK(e.notes.empty());
  }
}

TEST_CASE("derived announcements become originate entries after the file's, blackhole as derived") {
  const Config file = file_config();
  const EffectiveConfig e = build_effective_config(file, base_derived(), secrets({}));
  REQUIRE(e.config.originate.size() == 3);
  CHECK(e.config.originate[0] == file.originate[0]);  // the file's first, unchanged
  const Originate* pods = find_originate(e.config, "10.244.1.0/24");
  REQUIRE(pods);
  CHECK(pods->blackhole);
  CHECK(pods->communities.empty());
  const Originate* services = find_originate(e.config, "10.96.0.0/12");
  REQUIRE(services);
  CHECK_FALSE(services->blackhole);
  // The file's policies, listeners, router id stay.
  CHECK(e.config.router_id == file.router_id);
  CHECK(e.config.listen == file.listen);
  CHECK(e.config.policies.find("to-tor") != nullptr);
}

TEST_CASE("the file's originate entry wins for the same prefix, with a note") {
  k8s::Derived d = base_derived();
  d.announcements.push_back({P("10.244.9.0/24"), true, {"node node-a spec.podCIDRs"}});
  const EffectiveConfig e = build_effective_config(file_config(), d, secrets({}));
  const Originate* o = find_originate(e.config, "10.244.9.0/24");
  REQUIRE(o);
  CHECK_FALSE(o->blackhole);  // the file's entry
  CHECK(o->communities.size() == 1);
  CHECK(std::count_if(e.config.originate.begin(), e.config.originate.end(),
                      [](const Originate& x) { return x.prefix == P("10.244.9.0/24"); }) == 1);
  CHECK(has_note(e, "10.244.9.0/24: the file's originate entry wins"));
}

TEST_CASE("derived peers: one row per role") {
  struct Row {
    k8s::PeerRole role;
    const char* address;
    uint32_t as;
    bool rr_client;
    bgp::wire::Family family;
    std::string export_policy;
  };
  const Row rows[] = {
      {k8s::PeerRole::mesh, "10.0.0.12", 64512, false, bgp::wire::Family::ipv4_unicast, ""},
      {k8s::PeerRole::reflector, "10.0.0.12", 64512, false, bgp::wire::Family::ipv4_unicast, ""},
      {k8s::PeerRole::reflector_client, "10.0.0.12", 64512, true, bgp::wire::Family::ipv4_unicast, ""},
      {k8s::PeerRole::mesh, "fd00::12", 64600, false, bgp::wire::Family::ipv6_unicast, ""},
      {k8s::PeerRole::external, "10.0.0.2", 65002, false, bgp::wire::Family::ipv4_unicast, "kubernetes-export"},
  };
  for (const Row& r : rows) {
    CAPTURE(k8s::to_string(r.role));
    CAPTURE(r.address);
    k8s::Derived d = base_derived();
    d.peers = {peer("x", r.address, r.as, r.role)};
    const EffectiveConfig e = build_effective_config(file_config(), d, secrets({}));
    const PeerConfig* p = find_peer(e.config, "x");
    REQUIRE(p);
    CHECK(p->address == A(r.address));
    CHECK(p->remote_as_kind == RemoteAsKind::exact);
    CHECK(p->remote_as == r.as);
    CHECK(p->route_reflector_client == r.rr_client);
    CHECK(p->families == std::vector<bgp::wire::Family>{r.family});
    REQUIRE(p->graceful_restart.has_value());  // our routes stay at the peer while petreld restarts
    CHECK(p->graceful_restart->restart_time == 120);
    CHECK_FALSE(p->password.has_value());
    CHECK(p->export_policy == r.export_policy);
    CHECK(p->import_policy.empty());  // no kubernetes-import policy in the file
    CHECK(e.notes.empty());
  }
}

TEST_CASE("an external peer without a kubernetes-export policy: RFC 8212, with a note") {
  std::string text = kFile;
  const std::string line = "  kubernetes-export: [{action: accept}]\n";
  text.replace(text.find(line), line.size(), "");
  k8s::Derived d = base_derived();
  d.peers.push_back(peer("tor2", "10.0.0.2", 65002, k8s::PeerRole::external));
  const EffectiveConfig e = build_effective_config(file_config(text), d, secrets({}));
  REQUIRE(find_peer(e.config, "tor2"));
  CHECK(find_peer(e.config, "tor2")->export_policy.empty());
  CHECK(has_note(e, "tor2"));
  CHECK(has_note(e, "RFC 8212"));
}

TEST_CASE("file peers stay first; a derived peer with a file peer's name or address loses, with a note") {
  const Config file = file_config();
  k8s::Derived d = base_derived();
  d.peers.push_back(peer("tor1", "10.0.0.99", 65009, k8s::PeerRole::external));
  d.peers.push_back(peer("rack-tor", "10.0.0.1", 65001, k8s::PeerRole::external));
  const EffectiveConfig e = build_effective_config(file, d, secrets({}));
  REQUIRE(e.config.peers.size() == 3);  // tor1 (file), node-b, node-c
  CHECK(e.config.peers[0] == file.peers[0]);
  CHECK(e.config.peers[1].name == "node-b");
  CHECK(e.config.peers[2].name == "node-c");
  CHECK(has_note(e, "peer tor1 (10.0.0.99): a peer of that name is in the file"));
  CHECK(has_note(e, "peer rack-tor (10.0.0.1): the file's peer tor1 has that address"));
}

TEST_CASE("passwords from Secrets; a peer whose Secret is not readable waits, the others go on") {
  const k8s::SecretKeyRef ref{"petrel", "bgp-passwords", "tor2"};
  k8s::Derived d = base_derived();
  d.peers.push_back(peer("tor2", "10.0.0.2", 65002, k8s::PeerRole::external, ref));

  EffectiveConfig e = build_effective_config(file_config(), d, secrets({}));
  CHECK_FALSE(find_peer(e.config, "tor2"));
  CHECK(find_peer(e.config, "node-b"));
  CHECK(has_note(e, "tor2 (10.0.0.2): waits for its password, Secret petrel/bgp-passwords[tor2]"));

  e = build_effective_config(file_config(), d, secrets({{"petrel/bgp-passwords[tor2]", "s3cret"}}));
  const PeerConfig* p = find_peer(e.config, "tor2");
  REQUIRE(p);
  REQUIRE(p->password.has_value());
  CHECK(p->password->value == "s3cret");
  CHECK(p->password->file == "secret petrel/bgp-passwords[tor2]");
  CHECK(e.notes.empty());
  // The value is never printed.
  CHECK(print_config(e.config).find("s3cret") == std::string::npos);
}

TEST_CASE("local AS from the node's annotation; a reflector's cluster id unless the file sets one") {
  k8s::Derived d = base_derived();
  d.local_as = 64600;
  d.route_reflector = true;
  d.cluster_id = "244.0.0.1";
  EffectiveConfig e = build_effective_config(file_config(), d, secrets({}));
  CHECK(e.config.local_as == 64600);
  REQUIRE(e.config.cluster_id.has_value());
  CHECK(*e.config.cluster_id == IpAddress::parse("244.0.0.1")->v4_value());
  CHECK(plan_reload(file_config(), e.config).global_reset);  // a new AS restarts every session

  d.cluster_id = "17";
  e = build_effective_config(file_config(), d, secrets({}));
  CHECK(e.config.cluster_id == std::optional<uint32_t>(17));

  d.cluster_id = "not-an-id";
  e = build_effective_config(file_config(), d, secrets({}));
  CHECK_FALSE(e.config.cluster_id.has_value());
  CHECK(has_note(e, "\"not-an-id\" is not an IPv4 address or a number"));

  std::string text = kFile;
  text.insert(text.find("listen:"), "cluster-id: 1.2.3.4\n");
  d.cluster_id = "244.0.0.1";
  e = build_effective_config(file_config(text), d, secrets({}));
  CHECK(e.config.cluster_id == IpAddress::parse("1.2.3.4")->v4_value());
  CHECK(has_note(e, "the file's cluster-id wins"));
}

TEST_CASE("a derived peer name that is not a valid protocol name is left out with a note") {
  k8s::Derived d = base_derived();
  d.peers.push_back(peer("tor two", "10.0.0.2", 65002, k8s::PeerRole::external));
  const EffectiveConfig e = build_effective_config(file_config(), d, secrets({}));
  CHECK_FALSE(find_peer(e.config, "tor two"));
  CHECK(has_note(e, "tor two"));
}

TEST_CASE("the same derived state twice gives an equivalent configuration: a refresh changes nothing") {
  const Config file = file_config();
  const EffectiveConfig a = build_effective_config(file, base_derived(), secrets({}));
  const EffectiveConfig b = build_effective_config(file, base_derived(), secrets({}));
  CHECK(equivalent(a.config, b.config));
  CHECK(plan_reload(a.config, b.config).nothing());
  // A peer going away is one removal; the rest stays.
  k8s::Derived fewer = base_derived();
  fewer.peers.pop_back();
  const auto plan = plan_reload(a.config, build_effective_config(file, fewer, secrets({})).config);
  CHECK(plan.peers_removed == std::vector<std::string>{"node-c"});
  CHECK(plan.peers_added.empty());
  CHECK(plan.peers_reset.empty());
  CHECK_FALSE(plan.originate_changed);
}

TEST_CASE("the kubernetes section of a loaded configuration") {
  auto k = kubernetes_section(file_config());
  REQUIRE(k.has_value());
  CHECK(k->enabled);
  CHECK(k->node_name == "node-a");
  CHECK(k->cluster_ip_ranges == std::vector<Prefix>{P("10.96.0.0/12")});

  std::string none = kFile.substr(0, kFile.find("kubernetes:\n"));
  k = kubernetes_section(file_config(none));
  REQUIRE(k.has_value());
  CHECK_FALSE(k->enabled);

  std::string bad = kFile;
  bad.replace(bad.find("cluster-ips: [10.96.0.0/12]"), 27, "cluster-ips: [10.96.0.1/12]");
  k = kubernetes_section(file_config(bad));
  REQUIRE_FALSE(k.has_value());
  CHECK(k.error() == "petrel.yaml: kubernetes.advertise.cluster-ips[0]: \"10.96.0.1/12\" is not a prefix without host bits");

  std::string typo = kFile;
  typo.replace(typo.find("node-name:"), 10, "nodename:");
  k = kubernetes_section(file_config(typo));
  REQUIRE_FALSE(k.has_value());
  CHECK(k.error().find("nodename") != std::string::npos);
}

TEST_CASE("the kubernetes section: router-id and node-name from the environment (${NODE_IP}, ${NODE_NAME})") {
  ::setenv("PETREL_TEST_NODE_IP", "10.0.0.77", 1);
  ::setenv("PETREL_TEST_NODE_NAME", "node-q", 1);
  std::string text = kFile;
  text.replace(text.find("router-id: 10.0.0.11"), 20, "router-id: ${PETREL_TEST_NODE_IP}");
  text.replace(text.find("node-name: node-a"), 17, "node-name: ${PETREL_TEST_NODE_NAME}");
  const Config c = file_config(text);
  CHECK(c.router_id == IpAddress::parse("10.0.0.77")->v4_value());
  auto k = kubernetes_section(c);
  REQUIRE(k.has_value());
  CHECK(k->node_name == "node-q");
}

TEST_CASE("show k8s: informers, what was derived and why, configuration notes; and its JSON form") {
  K8sView v;
  v.enabled = true;
  v.node_name = "node-a";
  v.server = "127.0.0.1:6443 (kubeconfig /etc/k.yaml)";
  v.synced_once = true;
  v.informers = {{"nodes", true, "1234", 3, 1, 0, ""}, {"services", true, "1240", 2, 2, 1, "410 Gone"}};
  v.derived = base_derived();
  v.effective_notes = {"peer tor1 (10.0.0.99): a peer of that name is in the file; the file's wins"};
  const Reply r = show_k8s(v, false);
  std::string text;
  for (const auto& [code, line] : r.entries()) {
    CHECK(code == reply_code::k8s_view);
    text += line + "\n";
  }
  CHECK(text.find("Kubernetes: node node-a, API server 127.0.0.1:6443 (kubeconfig /etc/k.yaml)") != std::string::npos);
  CHECK(text.find("synced once: yes") != std::string::npos);
  CHECK(text.find("410 Gone") != std::string::npos);
  CHECK(text.find("10.244.1.0/24 blackhole <- node node-a spec.podCIDRs") != std::string::npos);
  CHECK(text.find("node-b 10.0.0.12 AS64512 mesh") != std::string::npos);
  CHECK(text.find("configuration:\n  peer tor1") != std::string::npos);
  CHECK(r.encode().rfind("1101-Kubernetes: node node-a", 0) == 0);
  CHECK(r.encode().ends_with("\n0000 \n"));

  const Reply j = show_k8s(v, true);
  REQUIRE_FALSE(j.entries().empty());
  CHECK(j.entries()[0].first == reply_code::json);
  CHECK(j.entries()[0].second.find("\"node_name\":\"node-a\"") != std::string::npos);
  CHECK(j.entries()[0].second.find("\"resource_version\":\"1240\"") != std::string::npos);
  CHECK(j.entries()[0].second.find("\"prefix\":\"10.244.1.0/24\"") != std::string::npos);

  K8sView off;
  const Reply o = show_k8s(off, false);
  REQUIRE(o.entries().size() == 1);
  CHECK(o.entries()[0].second.find("disabled") != std::string::npos);
  v.held = true;
  bool kept = false;
  const Reply held = show_k8s(v, false);
  for (const auto& [code, line] : held.entries()) kept = kept || line.find("kept from before") != std::string::npos;
  CHECK(kept);
  v.derived.reset();
  const Reply waiting = show_k8s(v, false);
  bool said = false;
  for (const auto& [code, line] : waiting.entries()) said = said || line.find("nothing derived yet") != std::string::npos;
  CHECK(said);
}

TEST_CASE("the shipped files: etc/petrel.yaml and both ConfigMaps of etc/k8s, with router-id: ${NODE_IP}") {
  const std::string source = PETREL_SOURCE_DIR;
  // The password files it names, in a directory of our own.
  const auto dir = std::filesystem::temp_directory_path() / ("petrel-effective-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  for (const char* name : {"tor1", "tor-a", "tor-b"}) std::ofstream(dir / name) << "example\n";
  std::ifstream in(source + "/etc/petrel.yaml");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (std::size_t at = text.find("/etc/petrel/secrets/"); at != std::string::npos; at = text.find("/etc/petrel/secrets/", at))
    text.replace(at, 20, dir.string() + "/");
  auto shipped = parse_config(text, source + "/etc/petrel.yaml");
  std::filesystem::remove_all(dir);
  REQUIRE_MESSAGE(shipped.has_value(), (shipped ? "" : shipped.error().to_string()));
  auto k = kubernetes_section(*shipped);
  REQUIRE_MESSAGE(k.has_value(), (k ? "" : k.error()));
  CHECK_FALSE(k->enabled);

  // The DaemonSet sets NODE_NAME (spec.nodeName) and NODE_IP (status.hostIP).
  ::setenv("NODE_NAME", "node-a", 1);
  ::setenv("NODE_IP", "10.0.0.11", 1);
  int maps = 0;
  for (const YAML::Node& doc : YAML::LoadAllFromFile(source + "/etc/k8s/configmap.yaml")) {
    if (!doc["kind"] || doc["kind"].as<std::string>() != "ConfigMap") continue;
    const std::string name = doc["metadata"]["name"].as<std::string>();
    CAPTURE(name);
    ++maps;
    auto c = parse_config(doc["data"]["petrel.yaml"].as<std::string>(), name + "/petrel.yaml");
    REQUIRE_MESSAGE(c.has_value(), (c ? "" : c.error().to_string()));
    CHECK(c->router_id == IpAddress::parse("10.0.0.11")->v4_value());
    auto kc = kubernetes_section(*c);
    REQUIRE_MESSAGE(kc.has_value(), (kc ? "" : kc.error()));
    CHECK(kc->enabled);
    CHECK(kc->node_name == "node-a");
    CHECK(kc->kubeconfig.empty());  // in-cluster
    // External peers come from the nodes' ConfigMap: it gives them an export policy (RFC 8212).
    if (!kc->peers.empty()) CHECK(c->policies.find(std::string(kubernetes_export_policy)) != nullptr);
  }
  CHECK(maps == 2);
}
