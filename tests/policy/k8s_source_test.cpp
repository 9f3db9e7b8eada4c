// K8sSource against the in-suite HTTPS API server (tests/k8s/support/): the real
// list/watch protocol over TLS, with pods, namespaces and NetworkPolicies shaped like
// kubectl's JSON. Waits are bounded and wake on the source's own change signal
// (wait_for_change), never on a timer.
#include "policy/k8s_source.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "k8s/informer.hpp"
#include "tests/k8s/support/fake_api_server.hpp"
#include "tests/k8s/support/fixtures.hpp"
#include "tests/k8s/support/test_pki.hpp"

#include <algorithm>
#include <mutex>

using namespace petrel;
using namespace petrel::policy;
using namespace petrel::k8s::test;
namespace json = boost::json;

namespace {

const TestPki& pki() {
  static const TestPki p = make_test_pki();
  return p;
}

constexpr auto kWait = std::chrono::seconds(10);

struct Cluster {
  std::unique_ptr<FakeApiServer> server = std::make_unique<FakeApiServer>(pki());
  std::mutex errors_mutex;
  std::vector<std::string> errors;
  int api_errors = 0;

  explicit Cluster(bool with_pods = true) {
    if (with_pods) add_pods_collection();
    server->add_collection(k8s::namespaces_path, "NamespaceList", "v1");
    server->add_collection(k8s::network_policies_path, "NetworkPolicyList", "networking.k8s.io/v1");
  }
  void add_pods_collection() { server->add_collection(k8s::pods_path, "PodList", "v1"); }

  std::unique_ptr<K8sSource> source(const std::string& node_name = "") {
    k8s::ClusterAccess a;
    a.host = "127.0.0.1";
    a.port = server->port();
    a.ca_pem = pki().ca.cert_pem;
    a.token = "test-token";
    a.source = "test";
    K8sSourceOptions o;
    o.node_name = node_name;
    o.list_watch.page_size = 2;
    o.list_watch.backoff_initial = std::chrono::milliseconds(5);
    o.list_watch.backoff_max = std::chrono::milliseconds(40);
    o.list_watch.seed = 11;
    o.on_error = [this](const std::string& e, bool api_error) {
      std::lock_guard lock(errors_mutex);
      if (api_error) ++api_errors;
      else errors.push_back(e);
    };
    auto s = K8sSource::start(a, o);
    REQUIRE(s.has_value());
    return std::move(*s);
  }

  void pod(const std::string& ns, const std::string& name, const std::string& ipv4,
           const std::map<std::string, std::string>& labels, const std::string& node = "node-a") {
    json::value v = fixture("pod-web.json");
    auto& meta = v.at("metadata").as_object();
    meta["namespace"] = ns;
    meta["name"] = name;
    json::object l;
    for (const auto& [k, val] : labels) l[k] = val;
    meta["labels"] = l;
    v.at("spec").as_object()["nodeName"] = node;
    auto& status = v.at("status").as_object();
    status["podIP"] = ipv4;
    status["podIPs"] = json::array{json::object{{"ip", ipv4}}};
    server->upsert(k8s::pods_path, v);
  }
  void ns(const std::string& name, const std::map<std::string, std::string>& labels) {
    json::value v = fixture("namespace-shop.json");
    auto& meta = v.at("metadata").as_object();
    meta["name"] = name;
    json::object l{{"kubernetes.io/metadata.name", name}};
    for (const auto& [k, val] : labels) l[k] = val;
    meta["labels"] = l;
    server->upsert(k8s::namespaces_path, v);
  }
  void policy(const std::string& ns, const std::string& name, const std::string& spec) {
    json::value v = fixture("networkpolicy-web.json");
    auto& meta = v.at("metadata").as_object();
    meta["namespace"] = ns;
    meta["name"] = name;
    v.as_object()["spec"] = json::parse(spec);
    server->upsert(k8s::network_policies_path, v);
  }
  int error_count() {
    std::lock_guard lock(errors_mutex);
    return static_cast<int>(errors.size());
  }
};

// Takes snapshots as they come until one satisfies `done`; fails after kWait.
// `taken` counts the snapshots poll() handed over on the way.
template <class Pred>
Snapshot await(K8sSource& source, Pred done, int* taken = nullptr) {
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  std::optional<Snapshot> last;
  while (std::chrono::steady_clock::now() < deadline) {
    source.wait_for_change(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
    auto s = source.poll();
    REQUIRE(s.has_value());
    if (*s) {
      if (taken) ++*taken;
      last = std::move(**s);
      if (done(*last)) return *last;
    }
  }
  FAIL("no snapshot satisfied the condition in time; " << source.sync_status());
  return {};
}

std::vector<std::string> pod_keys(const Snapshot& s) {
  std::vector<std::string> out;
  for (const auto& p : s.pods) out.push_back(p.key());
  return out;
}
std::vector<std::string> policy_keys(const Snapshot& s) {
  std::vector<std::string> out;
  for (const auto& p : s.policies) out.push_back(p.key());
  return out;
}
const Pod* find_pod(const Snapshot& s, const std::string& key) {
  for (const auto& p : s.pods)
    if (p.key() == key) return &p;
  return nullptr;
}
const Namespace* find_ns(const Snapshot& s, const std::string& name) {
  for (const auto& n : s.namespaces)
    if (n.name == name) return &n;
  return nullptr;
}

const char* kDenyAll = R"({"podSelector": {}, "policyTypes": ["Ingress"]})";
const char* kWeb = R"({"podSelector": {"matchLabels": {"app": "web"}},
  "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "client"}}}], "ports": [{"port": "http"}]}]})";

}  // namespace

TEST_CASE("no snapshot until pods, namespaces and policies have all been listed") {
  Cluster c(/*with_pods=*/false);  // the pods collection answers 404 until it exists
  c.ns("shop", {{"team", "storefront"}});
  c.policy("shop", "deny-all", kDenyAll);
  auto source = c.source();
  CHECK_FALSE(source->wait_for_change(std::chrono::milliseconds(300)));
  CHECK_FALSE(source->synced());
  auto none = source->poll();
  REQUIRE(none.has_value());
  CHECK_FALSE(none->has_value());  // a policy without its pods is never enforced
  CHECK(source->sync_status().find("pods: not listed yet") != std::string::npos);
  CHECK(source->errors() > 0);  // the 404s, reported and retried
  {
    std::lock_guard lock(c.errors_mutex);
    CHECK(c.api_errors > 0);
    CHECK(c.errors.empty());  // no object was bad
  }
  c.add_pods_collection();
  c.pod("shop", "web-1", "10.244.1.17", {{"app", "web"}});
  // The pods may be listed before or after web-1 is added: the first snapshot
  // may still be empty of pods; web-1 arrives by the list or by the watch.
  Snapshot s = await(*source, [](const Snapshot& snap) { return !snap.pods.empty(); });
  CHECK(source->synced());
  CHECK(pod_keys(s) == std::vector<std::string>{"shop/web-1"});
  CHECK(policy_keys(s) == std::vector<std::string>{"shop/deny-all"});
  REQUIRE(find_ns(s, "shop"));
  CHECK(find_ns(s, "shop")->labels.at("team") == "storefront");
  // Nothing changed since: nothing to hand over.
  auto again = source->poll();
  REQUIRE(again.has_value());
  CHECK_FALSE(again->has_value());
}

TEST_CASE("adds, updates and deletes of pods, namespaces and policies become snapshots") {
  Cluster c;
  c.ns("shop", {});
  c.pod("shop", "web-1", "10.244.1.17", {{"app", "web"}});
  auto source = c.source();
  Snapshot s = await(*source, [](const Snapshot& x) { return x.pods.size() == 1; });
  CHECK(s.policies.empty());

  c.policy("shop", "web", kWeb);
  s = await(*source, [](const Snapshot& x) { return x.policies.size() == 1; });
  REQUIRE(s.policies[0].ingress.size() == 1);
  CHECK(s.policies[0].ingress[0].ports[0].name == "http");

  c.pod("shop", "client-1", "10.244.1.30", {{"app", "client"}});
  s = await(*source, [](const Snapshot& x) { return x.pods.size() == 2; });
  CHECK(pod_keys(s) == std::vector<std::string>{"shop/client-1", "shop/web-1"});

  c.pod("shop", "client-1", "10.244.1.30", {{"app", "client"}, {"tier", "gold"}});  // relabel
  s = await(*source, [](const Snapshot& x) {
    const Pod* p = find_pod(x, "shop/client-1");
    return p && p->labels.count("tier");
  });
  CHECK(find_pod(s, "shop/client-1")->labels.at("tier") == "gold");

  c.ns("shop", {{"team", "storefront"}});  // namespace relabel
  s = await(*source, [](const Snapshot& x) {
    const Namespace* n = find_ns(x, "shop");
    return n && n->labels.count("team");
  });

  c.policy("shop", "web", kDenyAll);  // policy update
  s = await(*source, [](const Snapshot& x) { return x.policies.size() == 1 && x.policies[0].ingress.empty(); });

  c.server->remove(k8s::pods_path, "shop/web-1");
  c.server->remove(k8s::network_policies_path, "shop/web");
  c.server->remove(k8s::namespaces_path, "shop");
  s = await(*source, [](const Snapshot& x) { return x.pods.size() == 1 && x.policies.empty() && x.namespaces.empty(); });
  CHECK(pod_keys(s) == std::vector<std::string>{"shop/client-1"});
  CHECK(c.error_count() == 0);
}

TEST_CASE("each change is handed over once; a change policy does not read is no change") {
  Cluster c;
  auto source = c.source();
  await(*source, [](const Snapshot&) { return true; });
  for (int i = 0; i < 5; ++i) c.pod("shop", "p" + std::to_string(i), "10.244.2." + std::to_string(i + 1), {});
  int taken = 0;
  Snapshot s = await(*source, [](const Snapshot& x) { return x.pods.size() == 5; }, &taken);
  CHECK(taken <= 5);  // changes that arrive between two polls come together
  auto none = source->poll();
  REQUIRE(none.has_value());
  CHECK_FALSE(none->has_value());  // nothing is handed over twice
  // The same pod again (a new resourceVersion, a status field policy does not read),
  // then a real change: exactly one snapshot, the real change's. (Were the first a
  // change, it could come as a snapshot of its own.)
  c.pod("shop", "p0", "10.244.2.1", {});
  c.pod("shop", "p4", "10.244.2.99", {});
  taken = 0;
  s = await(*source, [](const Snapshot& x) { return find_pod(x, "shop/p4")->ips[0] == *IpAddress::parse("10.244.2.99"); },
            &taken);
  CHECK(taken == 1);
  CHECK(s.pods.size() == 5);
}

TEST_CASE("a dropped watch and a 410 Gone lose nothing; changes made meanwhile arrive") {
  Cluster c;
  c.ns("shop", {});
  c.policy("shop", "web", kWeb);
  for (int i = 0; i < 3; ++i) c.pod("shop", "web-" + std::to_string(i), "10.244.1." + std::to_string(i + 10), {{"app", "web"}});
  auto source = c.source();
  await(*source, [](const Snapshot& x) { return x.pods.size() == 3 && x.policies.size() == 1; });

  // A watch dropped mid-line: resumed from the last resourceVersion.
  c.server->drop_watches(k8s::pods_path, /*mid_line=*/true);
  c.pod("shop", "web-3", "10.244.1.13", {{"app", "web"}});
  Snapshot s = await(*source, [](const Snapshot& x) { return x.pods.size() == 4; });
  CHECK(s.policies.size() == 1);
  CHECK(s.namespaces.size() == 1);

  // History compacted and the watches dropped: the resume point is gone (410), the
  // informers list again and diff; what changed meanwhile arrives, nothing is lost.
  c.server->with([](FakeApiServer::State& st) {
    st.remove(k8s::pods_path, "shop/web-0");
    st.compact();
    st.drop_watches(k8s::pods_path, false);
    st.drop_watches(k8s::network_policies_path, false);
  });
  s = await(*source, [](const Snapshot& x) { return x.pods.size() == 3; });
  CHECK(pod_keys(s) == std::vector<std::string>{"shop/web-1", "shop/web-2", "shop/web-3"});
  CHECK(policy_keys(s) == std::vector<std::string>{"shop/web"});
  CHECK(s.namespaces.size() == 1);
  c.pod("shop", "web-4", "10.244.1.14", {{"app", "web"}});  // and the watch goes on
  s = await(*source, [](const Snapshot& x) { return x.pods.size() == 4; });
  CHECK(c.server->counters().lists[k8s::pods_path] >= 2);  // relisted after the 410
}

TEST_CASE("node-name: pods of this node are local, the others only feed selector sets") {
  Cluster c;
  c.pod("shop", "here", "10.244.1.2", {}, "node-a");
  c.pod("shop", "there", "10.244.2.2", {}, "node-b");
  auto source = c.source("node-a");
  Snapshot s = await(*source, [](const Snapshot& x) { return x.pods.size() == 2; });
  CHECK(find_pod(s, "shop/here")->local);
  CHECK_FALSE(find_pod(s, "shop/there")->local);
}

TEST_CASE("a policy this program cannot read is reported and left out; the rest stays in force") {
  Cluster c;
  c.policy("shop", "good", kDenyAll);
  c.policy("shop", "bad", R"({"podSelector": {}, "ingress": [{"ports": [{"port": "http", "endPort": 90}]}]})");
  auto source = c.source();
  Snapshot s = await(*source, [](const Snapshot&) { return true; });
  CHECK(policy_keys(s) == std::vector<std::string>{"shop/good"});
  REQUIRE(c.error_count() == 1);
  CHECK(c.errors[0].find("NetworkPolicy shop/bad: spec.ingress[0].ports[0].endPort: requires a numeric port") !=
        std::string::npos);
  // Fixed: it comes into force.
  c.policy("shop", "bad", kDenyAll);
  s = await(*source, [](const Snapshot& x) { return x.policies.size() == 2; });
  // Broken again by an update: left out again, the good one stays.
  c.policy("shop", "bad", R"({"podSelector": {}, "policyTypes": ["Sideways"]})");
  s = await(*source, [](const Snapshot& x) { return x.policies.size() == 1; });
  CHECK(policy_keys(s) == std::vector<std::string>{"shop/good"});
  CHECK(c.error_count() == 2);
}
