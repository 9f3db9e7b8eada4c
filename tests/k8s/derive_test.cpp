// The pure mapping from cluster state to announcements and peers, as tables.
#include "k8s/derive.hpp"

#include <doctest/doctest.h>

#include <algorithm>

#include "tests/k8s/support/fixtures.hpp"

using namespace petrel;
using namespace petrel::k8s;
using namespace petrel::k8s::test;

namespace {

Prefix pfx(const char* s) { return *Prefix::parse(s); }
IpAddress ip(const char* s) { return *IpAddress::parse(s); }

// A cluster built from the fixtures: three nodes, services and slices added per test.
struct Cluster {
  std::map<std::string, Node> nodes;
  std::map<std::string, Service> services;
  std::map<std::string, EndpointSlice> slices;
  KubernetesConfig config;

  Cluster() {
    add_node("node-a", "10.0.0.11", "10.244.1.0/24", "fd00:10:244:1::/64");
    add_node("node-b", "10.0.0.12", "10.244.2.0/24", "fd00:10:244:2::/64");
    add_node("node-c", "10.0.0.13", "10.244.3.0/24");
    config.cluster_ip_ranges = {pfx("10.96.0.0/12")};
    config.external_ip_ranges = {pfx("192.0.2.0/24")};
    config.load_balancer_ip_ranges = {pfx("198.51.100.0/24")};
  }
  Node& add_node(const std::string& name, const std::string& ip4, const std::string& c4, const std::string& c6 = "",
                 const std::map<std::string, std::string>& labels = {},
                 const std::map<std::string, std::string>& annotations = {}) {
    auto n = decode_node(node_json(name, ip4, c4, c6, labels, annotations));
    REQUIRE(n.has_value());
    return nodes[name] = *n;
  }
  void add_service(const std::string& name, const std::string& policy, const std::string& cluster_ip,
                   std::vector<std::string> ext, std::vector<std::string> lb) {
    auto s = decode_service(service_json("shop", name, policy, cluster_ip, ext, lb));
    REQUIRE(s.has_value());
    services["shop/" + name] = *s;
  }
  void set_endpoints(const std::string& service, std::vector<std::pair<std::string, bool>> node_ready) {
    auto s = decode_endpoint_slice(slice_json("shop", service, service + "-abcde", node_ready));
    REQUIRE(s.has_value());
    slices["shop/" + service + "-abcde"] = *s;
  }
  Derived run(const std::string& node) const {
    return derive(node, 64512, config, ClusterState{&nodes, &services, &slices});
  }
};

std::vector<Prefix> prefixes(const Derived& d) {
  std::vector<Prefix> out;
  for (const auto& a : d.announcements) out.push_back(a.prefix);
  return out;
}

const Announcement* find(const Derived& d, const char* prefix) {
  for (const auto& a : d.announcements)
    if (a.prefix == pfx(prefix)) return &a;
  return nullptr;
}

std::vector<std::string> peer_names(const Derived& d) {
  std::vector<std::string> out;
  for (const auto& p : d.peers) out.push_back(p.name);
  return out;
}

const DesiredPeer* peer(const Derived& d, const std::string& name) {
  for (const auto& p : d.peers)
    if (p.name == name) return &p;
  return nullptr;
}

}  // namespace

TEST_CASE("this node's pod CIDRs, IPv4 and IPv6, with blackholes; cluster-IP ranges as aggregates") {
  Cluster c;
  Derived d = c.run("node-a");
  CHECK(d.node_known);
  CHECK(prefixes(d) == std::vector<Prefix>{pfx("10.96.0.0/12"), pfx("10.244.1.0/24"), pfx("fd00:10:244:1::/64")});
  REQUIRE(find(d, "10.244.1.0/24"));
  CHECK(find(d, "10.244.1.0/24")->blackhole);
  CHECK(find(d, "fd00:10:244:1::/64")->blackhole);
  CHECK(find(d, "10.244.1.0/24")->origins == std::vector<std::string>{"node node-a spec.podCIDRs"});
  CHECK_FALSE(find(d, "10.96.0.0/12")->blackhole);
  CHECK(find(d, "10.96.0.0/12")->origins == std::vector<std::string>{"config kubernetes.advertise.cluster-ips"});

  c.config.advertise_pod_cidrs = false;
  CHECK_FALSE(find(c.run("node-a"), "10.244.1.0/24"));
}

TEST_CASE("an unknown node announces nothing and peers with no one") {
  Cluster c;
  Derived d = c.run("node-z");
  CHECK_FALSE(d.node_known);
  CHECK(d.announcements.empty());
  CHECK(d.peers.empty());
  REQUIRE(d.notes.size() == 1);
  CHECK(d.notes[0].find("node-z is not (yet) in the cluster") != std::string::npos);
}

TEST_CASE("service IPs inside and outside the allowed ranges") {
  struct Row {
    const char* name;
    std::vector<std::string> external;
    std::vector<std::string> lb;
    std::vector<const char*> announced;
    std::vector<const char*> refused;
  };
  const Row rows[] = {
      {"inside", {"192.0.2.10"}, {"198.51.100.7"}, {"192.0.2.10/32", "198.51.100.7/32"}, {}},
      {"external outside", {"203.0.113.9"}, {"198.51.100.7"}, {"198.51.100.7/32"}, {"203.0.113.9/32"}},
      {"lb outside", {}, {"192.0.2.44"}, {}, {"192.0.2.44/32"}},  // allowed for externalIPs, not LB ingress
      {"ipv6 lb", {}, {"2001:db8:1b::5"}, {}, {"2001:db8:1b::5/128"}},
  };
  for (const Row& r : rows) {
    CAPTURE(r.name);
    Cluster c;
    c.add_service("svc", "Cluster", "10.96.1.1", r.external, r.lb);
    Derived d = c.run("node-b");
    for (const char* p : r.announced) {
      CAPTURE(p);
      REQUIRE(find(d, p));
      CHECK_FALSE(find(d, p)->blackhole);
    }
    for (const char* p : r.refused) {
      CAPTURE(p);
      CHECK_FALSE(find(d, p));
    }
    CHECK_FALSE(find(d, "10.96.1.1/32"));  // ETP Cluster: the aggregate covers it
    CHECK(std::count_if(d.notes.begin(), d.notes.end(),
                        [](const std::string& n) { return n.find("is outside kubernetes.advertise") != std::string::npos; }) ==
          static_cast<long>(r.refused.size()));
  }
  Cluster c;
  c.config.load_balancer_ip_ranges.push_back(pfx("2001:db8:1b::/64"));
  c.add_service("svc", "Cluster", "10.96.1.1", {}, {"2001:db8:1b::5"});
  CHECK(find(c.run("node-a"), "2001:db8:1b::5/128"));
}

TEST_CASE("externalTrafficPolicy Local follows the ready endpoint from node to node") {
  Cluster c;
  c.add_service("web", "Local", "10.96.12.34", {"192.0.2.10"}, {"198.51.100.7"});
  struct Step {
    std::vector<std::pair<std::string, bool>> endpoints;
    std::vector<std::string> announcing;  // nodes announcing the service IPs
  };
  const Step steps[] = {
      {{}, {}},
      {{{"node-a", true}}, {"node-a"}},
      {{{"node-a", false}, {"node-b", true}}, {"node-b"}},  // moved: ready on b, not ready on a
      {{{"node-b", true}, {"node-c", true}}, {"node-b", "node-c"}},
      {{{"node-c", false}}, {}},
  };
  int i = 0;
  for (const Step& s : steps) {
    CAPTURE(i++);
    c.set_endpoints("web", s.endpoints);
    for (const char* node : {"node-a", "node-b", "node-c"}) {
      CAPTURE(node);
      const bool expected = std::find(s.announcing.begin(), s.announcing.end(), node) != s.announcing.end();
      Derived d = c.run(node);
      CHECK((find(d, "198.51.100.7/32") != nullptr) == expected);
      CHECK((find(d, "192.0.2.10/32") != nullptr) == expected);
      CHECK((find(d, "10.96.12.34/32") != nullptr) == expected);  // Local: the cluster IP too
      CHECK(find(d, "10.96.0.0/12") != nullptr);                  // the aggregate always
      if (expected) {
        CHECK(find(d, "198.51.100.7/32")->origins ==
              std::vector<std::string>{"service shop/web loadBalancer ingress (externalTrafficPolicy Local, ready endpoint on this node)"});
      }
    }
  }
}

TEST_CASE("a slice of another service or namespace does not count") {
  Cluster c;
  c.add_service("web", "Local", "10.96.12.34", {}, {"198.51.100.7"});
  c.set_endpoints("db", {{"node-a", true}});
  CHECK_FALSE(find(c.run("node-a"), "198.51.100.7/32"));
}

TEST_CASE("a node labelled exclude-from-external-load-balancers withdraws every service IP") {
  Cluster c;
  c.add_service("web", "Cluster", "10.96.12.34", {"192.0.2.10"}, {"198.51.100.7"});
  CHECK(find(c.run("node-a"), "198.51.100.7/32"));
  c.nodes["node-a"].meta.labels[std::string(exclude_from_lb_label)] = "";
  Derived d = c.run("node-a");
  CHECK(prefixes(d) == std::vector<Prefix>{pfx("10.244.1.0/24"), pfx("fd00:10:244:1::/64")});
  CHECK(find(c.run("node-b"), "198.51.100.7/32"));
}

TEST_CASE("full iBGP mesh by InternalIP, per-node AS from the annotation, and the off switch") {
  Cluster c;
  c.add_node("node-c", "10.0.0.13", "10.244.3.0/24", "", {}, {{"petrel.io/as-number", "64600"}});
  Derived d = c.run("node-a");
  CHECK(d.local_as == 64512);
  CHECK(peer_names(d) == std::vector<std::string>{"node-node-b", "node-node-c"});
  CHECK(peer(d, "node-node-b")->address == ip("10.0.0.12"));
  CHECK(peer(d, "node-node-b")->remote_as == 64512);
  CHECK(peer(d, "node-node-b")->role == PeerRole::mesh);
  CHECK(peer(d, "node-node-c")->remote_as == 64600);
  CHECK(peer(d, "node-node-c")->origin == "node node-c (full mesh)");
  CHECK(c.run("node-c").local_as == 64600);

  c.nodes["node-b"].meta.annotations["petrel.io/as-number"] = "banana";
  Derived bad = c.run("node-a");
  CHECK(peer(bad, "node-node-b")->remote_as == 64512);
  CHECK(std::any_of(bad.notes.begin(), bad.notes.end(),
                    [](const std::string& n) { return n.find("\"banana\" is not an AS number") != std::string::npos; }));

  c.config.node_mesh = false;
  CHECK(c.run("node-a").peers.empty());
}

TEST_CASE("a node joining or leaving adds or removes its peer") {
  Cluster c;
  CHECK(peer_names(c.run("node-a")) == std::vector<std::string>{"node-node-b", "node-node-c"});
  c.add_node("node-d", "10.0.0.14", "10.244.4.0/24");
  CHECK(peer_names(c.run("node-a")) == std::vector<std::string>{"node-node-b", "node-node-c", "node-node-d"});
  c.nodes.erase("node-b");
  CHECK(peer_names(c.run("node-a")) == std::vector<std::string>{"node-node-c", "node-node-d"});
}

TEST_CASE("route reflectors peer with each other and serve all others, which peer only with them") {
  Cluster c;
  c.add_node("node-d", "10.0.0.14", "10.244.4.0/24");
  c.add_node("rr-1", "10.0.0.2", "10.244.10.0/24", "", {{"petrel.io/route-reflector", "true"}},
             {{"petrel.io/cluster-id", "244.0.0.1"}});
  c.add_node("rr-2", "10.0.0.3", "10.244.11.0/24", "", {{"petrel.io/route-reflector", "true"}},
             {{"petrel.io/cluster-id", "244.0.0.1"}});
  c.add_node("not-rr", "10.0.0.4", "10.244.12.0/24", "", {{"petrel.io/route-reflector", "false"}});

  Derived client = c.run("node-a");
  CHECK_FALSE(client.route_reflector);
  CHECK(peer_names(client) == std::vector<std::string>{"node-rr-1", "node-rr-2"});
  CHECK(peer(client, "node-rr-1")->role == PeerRole::reflector);
  CHECK(peer(client, "node-rr-1")->address == ip("10.0.0.2"));

  Derived rr = c.run("rr-1");
  CHECK(rr.route_reflector);
  CHECK(rr.cluster_id == std::optional<std::string>("244.0.0.1"));
  CHECK(peer_names(rr) ==
        std::vector<std::string>{"node-node-a", "node-node-b", "node-node-c", "node-node-d", "node-not-rr", "node-rr-2"});
  CHECK(peer(rr, "node-rr-2")->role == PeerRole::reflector);
  CHECK(peer(rr, "node-node-a")->role == PeerRole::reflector_client);
  CHECK(peer(rr, "node-node-a")->origin == "node node-a (route-reflector client)");

  // Reflectors apply whatever node-mesh says.
  c.config.node_mesh = false;
  CHECK(peer_names(c.run("node-b")) == std::vector<std::string>{"node-rr-1", "node-rr-2"});
  // The last reflector unlabelled: back to the full mesh.
  c.config.node_mesh = true;
  c.nodes["rr-1"].meta.labels.erase("petrel.io/route-reflector");
  c.nodes["rr-2"].meta.labels.erase("petrel.io/route-reflector");
  CHECK(c.run("node-a").peers.size() == 6);
}

TEST_CASE("a node without an InternalIP of this node's family is not peered") {
  Cluster c;
  auto& b = c.nodes["node-b"];
  b.internal_ips = {ip("fd00::12")};
  Derived d = c.run("node-a");
  CHECK(peer_names(d) == std::vector<std::string>{"node-node-c"});
  CHECK(std::any_of(d.notes.begin(), d.notes.end(),
                    [](const std::string& n) { return n.find("node-b has no InternalIP") != std::string::npos; }));
}

TEST_CASE("dual-stack nodes peer once per family; a single-stack node in its own family only") {
  Cluster c;
  c.nodes["node-a"].internal_ips = {ip("10.0.0.11"), ip("fd00::11")};
  c.nodes["node-b"].internal_ips = {ip("10.0.0.12"), ip("fd00::12")};
  Derived d = c.run("node-a");
  CHECK(peer_names(d) == std::vector<std::string>{"node-node-b", "node-node-b-v6", "node-node-c"});
  CHECK(peer(d, "node-node-b")->address == ip("10.0.0.12"));
  CHECK(peer(d, "node-node-b-v6")->address == ip("fd00::12"));
  CHECK(peer(d, "node-node-b-v6")->role == PeerRole::mesh);
  CHECK(peer(d, "node-node-c")->address == ip("10.0.0.13"));
  // From node-b's side the names mirror (its first family is IPv4 too).
  CHECK(peer_names(c.run("node-b")) == std::vector<std::string>{"node-node-a", "node-node-a-v6", "node-node-c"});
  // An IPv6-first node names its IPv4 session with the suffix.
  c.nodes["node-b"].internal_ips = {ip("fd00::12"), ip("10.0.0.12")};
  Derived b = c.run("node-b");
  CHECK(peer_names(b) == std::vector<std::string>{"node-node-a", "node-node-a-v4", "node-node-c-v4"});
  CHECK(peer(b, "node-node-a")->address == ip("fd00::11"));
  CHECK(peer(b, "node-node-a-v4")->address == ip("10.0.0.11"));
}

TEST_CASE("external peers: global, by node label selector, and from node annotations") {
  Cluster c;
  ExternalPeerConfig all{"tor-core", ip("10.0.0.254"), 65000, std::nullopt, SecretKeyRef{"petrel", "bgp-passwords", "core"}};
  ExternalPeerConfig rack1{"tor-rack1", ip("10.0.0.1"), 65001, *parse_label_selector("topology.kubernetes.io/zone=rack1"),
                           std::nullopt};
  ExternalPeerConfig rack2{"tor-rack2", ip("10.0.1.1"), 65002, *parse_label_selector("topology.kubernetes.io/zone=rack2"),
                           std::nullopt};
  c.config.peers = {all, rack1, rack2};
  c.config.node_mesh = false;
  c.nodes["node-b"].meta.labels["topology.kubernetes.io/zone"] = "rack2";
  c.nodes["node-c"].meta.annotations["petrel.io/peers"] =
      R"([{"name":"tor-c","address":"10.0.2.1","remote-as":65003,"password-secret":{"name":"bgp-passwords","key":"c"}}])";

  Derived a = c.run("node-a");  // the fixture's zone is rack1
  CHECK(peer_names(a) == std::vector<std::string>{"tor-core", "tor-rack1"});
  CHECK(peer(a, "tor-core")->password == std::optional<SecretKeyRef>(SecretKeyRef{"petrel", "bgp-passwords", "core"}));
  CHECK(peer(a, "tor-rack1")->role == PeerRole::external);
  CHECK(peer(a, "tor-rack1")->origin == "config kubernetes.peers[1] (node-selector \"topology.kubernetes.io/zone=rack1\")");
  CHECK(peer_names(c.run("node-b")) == std::vector<std::string>{"tor-core", "tor-rack2"});

  Derived cc = c.run("node-c");
  CHECK(peer_names(cc) == std::vector<std::string>{"tor-c", "tor-core", "tor-rack1"});
  CHECK(peer(cc, "tor-c")->remote_as == 65003);
  CHECK(peer(cc, "tor-c")->password == std::optional<SecretKeyRef>(SecretKeyRef{"petrel", "bgp-passwords", "c"}));
  CHECK(peer(cc, "tor-c")->origin == "node node-c annotation petrel.io/peers[0]");

  c.nodes["node-c"].meta.annotations["petrel.io/peers"] = R"([{"name":"x","address":"nope","remote-as":1}, 7])";
  Derived bad = c.run("node-c");
  CHECK_FALSE(peer(bad, "x"));
  CHECK(std::count_if(bad.notes.begin(), bad.notes.end(), [](const std::string& n) {
          return n.find("annotation petrel.io/peers") != std::string::npos;
        }) == 2);
  c.nodes["node-c"].meta.annotations["petrel.io/peers"] = "{not json";
  CHECK(c.run("node-c").notes.back().find("not a JSON list") != std::string::npos);
}

TEST_CASE("explain() says which objects produced which announcement and peer") {
  Cluster c;
  c.add_service("web", "Local", "10.96.12.34", {}, {"198.51.100.7"});
  c.set_endpoints("web", {{"node-a", true}});
  const auto lines = explain(c.run("node-a"));
  const std::vector<std::string> expected{
      "local AS 64512",
      "announcements:",
      "  10.96.0.0/12 <- config kubernetes.advertise.cluster-ips",
      "  10.96.12.34/32 <- service shop/web clusterIP (externalTrafficPolicy Local, ready endpoint on this node)",
      "  10.244.1.0/24 blackhole <- node node-a spec.podCIDRs",
      "  198.51.100.7/32 <- service shop/web loadBalancer ingress (externalTrafficPolicy Local, ready endpoint on this node)",
      "  fd00:10:244:1::/64 blackhole <- node node-a spec.podCIDRs",
      "peers:",
      "  node-node-b 10.0.0.12 AS64512 mesh <- node node-b (full mesh)",
      "  node-node-c 10.0.0.13 AS64512 mesh <- node node-c (full mesh)",
  };
  CHECK(lines == expected);
}
