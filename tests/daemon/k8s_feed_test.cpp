// petreld's Kubernetes feed for real: K8sFeed on an io_context against the local
// HTTPS API server of tests/k8s/support (TLS, paginated lists, chunked watches,
// 410 Gone, dropped connections), fed with Node, Service, EndpointSlice and
// Secret objects; out comes the effective configuration petreld would apply
// (daemon/effective_config.hpp): peers, originates, passwords. Every wait runs
// the io_context until a condition holds (bounded), never sleeps.
#include "daemon/k8s_feed.hpp"

#include <doctest/doctest.h>

#include <algorithm>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "daemon/config_diff.hpp"
#include "daemon/effective_config.hpp"

#include "tests/k8s/support/fake_api_server.hpp"
#include "tests/k8s/support/fixtures.hpp"
#include "tests/k8s/support/test_pki.hpp"

using namespace petrel;
using namespace petrel::daemon;
using namespace petrel::k8s::test;
namespace json = boost::json;
namespace asio = boost::asio;

namespace {

const TestPki& pki() {
  static const TestPki p = make_test_pki();
  return p;
}

const std::string kFile = R"(router-id: 10.0.0.11
local-as: 64512
listen: [0.0.0.0]
peers:
  - name: tor1
    address: 10.0.0.1
    remote-as: 65001
policies:
  kubernetes-export: [{action: accept}]
kubernetes:
  enabled: true
  node-name: node-a
  advertise:
    pod-cidrs: true
    cluster-ips: [10.96.0.0/12]
    load-balancer-ips: [198.51.100.0/24]
  peers:
    - name: tor2
      address: 10.0.0.2
      remote-as: 65002
      password-secret: {name: bgp-passwords, key: tor1}
)";

Config file_config() {
  auto r = parse_config(kFile, "petrel.yaml");
  if (!r.has_value()) FAIL("unexpected error: " << r.error().to_string());
  return std::move(*r);
}

k8s::KubernetesConfig kube_for(const Config& file, const std::string& node) {
  auto k = kubernetes_section(file);
  if (!k.has_value()) FAIL("unexpected error: " << k.error());
  k->node_name = node;
  return std::move(*k);
}

k8s::ListWatchOptions fast_options() {
  k8s::ListWatchOptions o;
  o.page_size = 2;
  o.backoff_initial = std::chrono::milliseconds(5);
  o.backoff_max = std::chrono::milliseconds(40);
  o.seed = 11;
  return o;
}

// One petreld's view: a feed for `node` and the effective configuration it
// leads to, rebuilt on every (coalesced) change as the daemon does.
struct Petreld {
  Petreld(asio::io_context& ioc, std::shared_ptr<k8s::ApiClient> client, const Config& f, const std::string& node)
      : file(f) {
    K8sFeedOptions o;
    o.list_watch = fast_options();
    feed = std::make_unique<K8sFeed>(client, kube_for(file, node), [this] { refresh(); }, o);
    (void)ioc;
  }
  void refresh() {
    ++changes;
    auto d = feed->derive(file.local_as);
    if (d) feed->watch_secrets(*d);
    effective = build_effective_config(file, d, [this](const k8s::SecretKeyRef& r) { return feed->secret(r); });
  }
  bool has_peer(const std::string& name) const { return effective.config.peer(name) != nullptr; }
  bool originates(const char* prefix) const {
    const Prefix p = *Prefix::parse(prefix);
    return std::any_of(effective.config.originate.begin(), effective.config.originate.end(),
                       [&](const Originate& o) { return o.prefix == p; });
  }
  std::vector<std::string> peer_names() const {
    std::vector<std::string> out;
    for (const auto& p : effective.config.peers) out.push_back(p.name);
    return out;
  }

  Config file;
  std::unique_ptr<K8sFeed> feed;
  EffectiveConfig effective{file, {}};
  int changes = 0;
};

struct Harness {
  std::unique_ptr<FakeApiServer> server = std::make_unique<FakeApiServer>(pki());
  asio::io_context ioc;
  SteadyClock clock;
  Config file = file_config();

  Harness() {
    server->add_collection(k8s::nodes_path, "NodeList", "v1");
    server->add_collection(k8s::services_path, "ServiceList", "v1");
    server->add_collection(k8s::endpoint_slices_path, "EndpointSliceList", "discovery.k8s.io/v1");
    server->add_collection(k8s::secrets_path("petrel"), "SecretList", "v1");
  }

  std::shared_ptr<k8s::ApiClient> client() {
    k8s::ClusterAccess a;
    a.host = "127.0.0.1";
    a.port = server->port();
    a.ca_pem = pki().ca.cert_pem;
    a.token = "test-token";
    a.source = "test";
    auto c = k8s::ApiClient::create(ioc.get_executor(), a, clock);
    REQUIRE(c.has_value());
    return *c;
  }

  template <class Pred>
  bool run_until(Pred done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      ioc.run_one_for(std::chrono::milliseconds(20));
      if (ioc.stopped()) ioc.restart();
    }
    return true;
  }
  // Runs the loop for `d` of wall time (only to show that nothing happens).
  void run_for(std::chrono::milliseconds d) {
    const auto until = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < until) {
      ioc.run_one_for(std::chrono::milliseconds(10));
      if (ioc.stopped()) ioc.restart();
    }
  }

  void cluster() {
    server->with([](FakeApiServer::State& s) {
      s.upsert(k8s::nodes_path, node_json("node-a", "10.0.0.11", "10.244.1.0/24"));
      s.upsert(k8s::nodes_path, node_json("node-b", "10.0.0.12", "10.244.2.0/24"));
      s.upsert(k8s::nodes_path, node_json("node-c", "10.0.0.13", "10.244.3.0/24"));
      s.upsert(k8s::services_path, service_json("shop", "web", "Local", "10.96.12.34", {}, {"198.51.100.7"}));
      s.upsert(k8s::endpoint_slices_path, slice_json("shop", "web", "web-abcde", {{"node-a", true}}));
      s.upsert(k8s::secrets_path("petrel"), fixture("secret-bgp.json"));
    });
  }
};

bool synced_and_watching(Harness& h, Petreld& n) {
  return n.feed->synced() && n.changes > 0 && h.server->active_watches(k8s::nodes_path) >= 1 &&
         h.server->active_watches(k8s::endpoint_slices_path) >= 1;
}

}  // namespace

TEST_CASE("the feed: cluster objects in, the effective configuration out (peers, originates, passwords)") {
  Harness h;
  h.cluster();
  Petreld a(h.ioc, h.client(), h.file, "node-a");
  // Before the nodes were listed: nothing derived, the file's configuration as it is.
  CHECK_FALSE(a.feed->derive(64512).has_value());
  a.refresh();
  CHECK(equivalent(a.effective.config, h.file));
  a.changes = 0;

  a.feed->start();
  REQUIRE(h.run_until([&] { return synced_and_watching(h, a) && a.has_peer("tor2"); }));
  CHECK(a.peer_names() == std::vector<std::string>{"tor1", "node-node-b", "node-node-c", "tor2"});
  const PeerConfig* b = a.effective.config.peer("node-node-b");
  REQUIRE(b);
  CHECK(b->address == IpAddress::parse("10.0.0.12"));
  CHECK(b->remote_as == 64512);
  CHECK(b->graceful_restart.has_value());
  const PeerConfig* tor2 = a.effective.config.peer("tor2");
  REQUIRE(tor2);
  REQUIRE(tor2->password.has_value());
  CHECK(tor2->password->value == "s3cr3t-tor1");  // from the Secret, through its own named informer
  CHECK(tor2->export_policy == "kubernetes-export");
  CHECK(a.originates("10.244.1.0/24"));
  CHECK(a.originates("10.96.0.0/12"));
  CHECK(a.originates("198.51.100.7/32"));  // Local, and the endpoint is on node-a
  CHECK_FALSE(a.originates("10.244.2.0/24"));
  // The Secret is watched by name (RBAC resourceNames), not the whole namespace.
  const auto targets = h.server->counters().targets;
  CHECK(std::any_of(targets.begin(), targets.end(), [](const std::string& t) {
    return t.rfind("/api/v1/namespaces/petrel/secrets?fieldSelector=metadata.name%3Dbgp-passwords", 0) == 0;
  }));
  const auto status = a.feed->status();
  REQUIRE(status.size() == 4);
  CHECK(status[0].resource == "nodes");
  CHECK(status[0].synced);
  CHECK(status[0].objects == 3);
  CHECK_FALSE(status[0].resource_version.empty());
  CHECK(status[3].resource == "secret petrel/bgp-passwords");

  // Many changes at once are coalesced into few refreshes.
  a.changes = 0;
  h.server->with([](FakeApiServer::State& s) {
    for (int i = 0; i < 20; ++i)
      s.upsert(k8s::services_path, service_json("shop", "svc" + std::to_string(i), "Cluster", "10.96.1." + std::to_string(i), {},
                                                {"198.51.100." + std::to_string(100 + i)}));
  });
  REQUIRE(h.run_until([&] { return a.originates("198.51.100.119/32"); }));
  CHECK(a.changes <= 3);
  CHECK(a.originates("198.51.100.100/32"));

  // A rotated password reaches the peer.
  json::value rotated = fixture("secret-bgp.json");
  rotated.at("data").as_object()["tor1"] = "bmV3LXBhc3N3b3Jk";  // "new-password"
  h.server->upsert(k8s::secrets_path("petrel"), rotated);
  REQUIRE(h.run_until([&] { return a.effective.config.peer("tor2")->password->value == "new-password"; }));
}

TEST_CASE("a node removed: its peer goes; an endpoint moving to another node: the LB IP announcement moves") {
  Harness h;
  h.cluster();
  auto client = h.client();
  Petreld a(h.ioc, client, h.file, "node-a");
  Petreld b(h.ioc, client, h.file, "node-b");
  a.feed->start();
  b.feed->start();
  REQUIRE(h.run_until([&] { return synced_and_watching(h, a) && synced_and_watching(h, b) && a.has_peer("tor2") && b.has_peer("tor2"); }));
  CHECK(a.originates("198.51.100.7/32"));
  CHECK_FALSE(b.originates("198.51.100.7/32"));
  CHECK(b.originates("10.244.2.0/24"));
  CHECK(b.peer_names() == std::vector<std::string>{"tor1", "node-node-a", "node-node-c", "tor2"});

  const Config before = a.effective.config;
  h.server->remove(k8s::nodes_path, "node-c");
  REQUIRE(h.run_until([&] { return !a.has_peer("node-node-c") && !b.has_peer("node-node-c"); }));
  const ReloadPlan plan = plan_reload(before, a.effective.config);
  CHECK(plan.peers_removed == std::vector<std::string>{"node-node-c"});
  CHECK(plan.peers_reset.empty());  // the other sessions stay up
  CHECK_FALSE(plan.originate_changed);

  h.server->upsert(k8s::endpoint_slices_path, slice_json("shop", "web", "web-abcde", {{"node-a", false}, {"node-b", true}}));
  REQUIRE(h.run_until([&] { return !a.originates("198.51.100.7/32") && b.originates("198.51.100.7/32"); }));
  CHECK(a.originates("10.244.1.0/24"));  // the rest stays

  // A node joins: a peer appears on both.
  h.server->upsert(k8s::nodes_path, node_json("node-d", "10.0.0.14", "10.244.4.0/24"));
  REQUIRE(h.run_until([&] { return a.has_peer("node-node-d") && b.has_peer("node-node-d"); }));
}

TEST_CASE("the API server stopped and unreachable: nothing is withdrawn") {
  Harness h;
  h.cluster();
  Petreld a(h.ioc, h.client(), h.file, "node-a");
  a.feed->start();
  REQUIRE(h.run_until([&] { return synced_and_watching(h, a) && a.has_peer("tor2"); }));
  const Config known = a.effective.config;
  h.server.reset();  // every watch drops, every reconnect is refused
  REQUIRE(h.run_until([&] {
    const auto s = a.feed->status();
    return std::all_of(s.begin(), s.end(), [](const InformerStatus& i) { return i.errors >= 2; });
  }));
  a.refresh();  // as the daemon would on any event
  CHECK(equivalent(a.effective.config, known));
  CHECK(a.has_peer("tor2"));
  CHECK(a.effective.config.peer("tor2")->password->value == "s3cr3t-tor1");
  CHECK(a.originates("198.51.100.7/32"));
  CHECK(a.feed->synced());  // readiness stays
  CHECK(a.feed->status()[0].last_error.find("refused") != std::string::npos);
}

TEST_CASE("410 Gone: relist without losing anything, and what changed meanwhile arrives") {
  Harness h;
  h.cluster();
  Petreld a(h.ioc, h.client(), h.file, "node-a");
  a.feed->start();
  REQUIRE(h.run_until([&] { return synced_and_watching(h, a) && a.has_peer("tor2"); }));
  const Config known = a.effective.config;
  const int lists_before = a.feed->status()[0].lists;

  // The watches drop; meanwhile a node joins and the history is compacted, so the
  // resumed watch gets 410 and the informers list again.
  h.server->with([](FakeApiServer::State& s) {
    s.drop_watches(k8s::nodes_path, false);
    s.drop_watches(k8s::services_path, false);
    s.drop_watches(k8s::endpoint_slices_path, false);
    s.upsert(k8s::nodes_path, node_json("node-e", "10.0.0.15", "10.244.5.0/24"));
    s.advance_rv(5);
    s.compact();
  });
  REQUIRE(h.run_until([&] { return a.feed->status()[0].lists > lists_before && a.has_peer("node-node-e"); }));
  CHECK(h.server->counters().lists.at(k8s::nodes_path) >= 2);
  // Everything known before is still there.
  for (const PeerConfig& p : known.peers) CHECK(a.has_peer(p.name));
  for (const Originate& o : known.originate) CHECK(a.originates(o.prefix.to_string().c_str()));
  CHECK(a.effective.config.peers.size() == known.peers.size() + 1);
}

TEST_CASE("a Secret that is not there: that peer waits with a note, the others go on; it comes when the Secret does") {
  Harness h;
  h.server->with([](FakeApiServer::State& s) {
    s.upsert(k8s::nodes_path, node_json("node-a", "10.0.0.11", "10.244.1.0/24"));
    s.upsert(k8s::nodes_path, node_json("node-b", "10.0.0.12", "10.244.2.0/24"));
  });
  Petreld a(h.ioc, h.client(), h.file, "node-a");
  a.feed->start();
  REQUIRE(h.run_until([&] {
    const auto s = a.feed->status();
    return s.size() == 4 && s[3].synced && a.has_peer("node-node-b");
  }));
  a.refresh();
  CHECK_FALSE(a.has_peer("tor2"));
  CHECK(std::any_of(a.effective.notes.begin(), a.effective.notes.end(),
                    [](const std::string& n) { return n.find("tor2") != std::string::npos && n.find("waits") != std::string::npos; }));
  h.server->upsert(k8s::secrets_path("petrel"), fixture("secret-bgp.json"));
  REQUIRE(h.run_until([&] { return a.has_peer("tor2"); }));
  CHECK(a.effective.notes.empty());
}
