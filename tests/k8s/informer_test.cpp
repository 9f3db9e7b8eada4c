// The client and informers against a local HTTPS API server speaking the real
// list/watch protocol (tests/k8s/support/fake_api_server.hpp). Every wait below
// runs the client's io_context until a condition holds (bounded), never sleeps.
#include "k8s/informer.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "k8s/derive.hpp"

#include "tests/k8s/support/fake_api_server.hpp"
#include "tests/k8s/support/fixtures.hpp"
#include "tests/k8s/support/test_pki.hpp"

using namespace petrel;
using namespace petrel::k8s;
using namespace petrel::k8s::test;
namespace json = boost::json;
namespace asio = boost::asio;

namespace {

// One certificate authority for the whole program (key generation is not free).
const TestPki& pki() {
  static const TestPki p = make_test_pki();
  return p;
}

ListWatchOptions fast_options() {
  ListWatchOptions o;
  o.page_size = 2;
  o.backoff_initial = std::chrono::milliseconds(5);
  o.backoff_max = std::chrono::milliseconds(40);
  o.seed = 7;
  return o;
}

struct Harness {
  std::unique_ptr<FakeApiServer> server = std::make_unique<FakeApiServer>(pki());
  asio::io_context ioc;
  SteadyClock clock;

  Harness() {
    server->add_collection(nodes_path, "NodeList", "v1");
    server->add_collection(services_path, "ServiceList", "v1");
    server->add_collection(endpoint_slices_path, "EndpointSliceList", "discovery.k8s.io/v1");
    server->add_collection(secrets_path("petrel"), "SecretList", "v1");
    server->add_collection(pods_path, "PodList", "v1");
    server->add_collection(namespaces_path, "NamespaceList", "v1");
    server->add_collection(network_policies_path, "NetworkPolicyList", "networking.k8s.io/v1");
  }

  ClusterAccess access() const {
    ClusterAccess a;
    a.host = "127.0.0.1";
    a.port = server->port();
    a.ca_pem = pki().ca.cert_pem;
    a.token = "test-token";
    a.source = "test";
    return a;
  }

  std::shared_ptr<ApiClient> client(const ClusterAccess& a) {
    auto c = ApiClient::create(ioc.get_executor(), a, clock);
    REQUIRE(c.has_value());
    return *c;
  }
  std::shared_ptr<ApiClient> client() { return client(access()); }

  // Runs the client's event loop until `done` holds; false after 10 s.
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

  void add_nodes(int n) {
    for (int i = 0; i < n; ++i) {
      const std::string name = std::string("node-") + char('a' + i);
      server->upsert(nodes_path, node_json(name, "10.0.0." + std::to_string(11 + i), "10.244." + std::to_string(1 + i) + ".0/24"));
    }
  }
};

// Records handler calls as "add X", "update X", "delete X".
struct Recorder {
  std::vector<std::string> log;
  std::vector<std::string> errors;
  int synced = 0;
  InformerHandlers<Node> node_handlers() {
    InformerHandlers<Node> h;
    h.on_add = [this](const Node& n) { log.push_back("add " + n.meta.name); };
    h.on_update = [this](const Node& before, const Node& after) {
      CHECK(before.meta.name == after.meta.name);
      log.push_back("update " + after.meta.name);
    };
    h.on_delete = [this](const Node& n) { log.push_back("delete " + n.meta.name); };
    h.on_synced = [this] { ++synced; };
    h.on_error = [this](const std::string& e) { errors.push_back(e); };
    return h;
  }
  int count(const std::string& entry) const { return static_cast<int>(std::count(log.begin(), log.end(), entry)); }
};

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

json::value relabel(json::value node, const std::string& key, const std::string& value) {
  node.at("metadata").at("labels").as_object()[key] = value;
  return node;
}

}  // namespace

TEST_CASE("a paginated list, then watch events reach the informer's handlers") {
  Harness h;
  h.add_nodes(5);
  Recorder rec;
  Informer<Node> nodes(h.client(), nodes_path, decode_node, rec.node_handlers(), fast_options());
  nodes.start();
  REQUIRE(h.run_until([&] { return nodes.synced() && h.server->active_watches(nodes_path) == 1; }));
  CHECK(rec.synced == 1);
  CHECK(nodes.cache().size() == 5);
  CHECK(rec.log == std::vector<std::string>{"add node-a", "add node-b", "add node-c", "add node-d", "add node-e"});
  REQUIRE(nodes.find("node-c"));
  CHECK(nodes.find("node-c")->internal_ips.front() == *IpAddress::parse("10.0.0.13"));

  auto counters = h.server->counters();
  CHECK(counters.lists[nodes_path] == 3);  // 2 + 2 + 1 with limit=2
  CHECK(counters.connections == 2);        // the pages share one keep-alive connection; the watch has its own
  REQUIRE(counters.targets.size() == 4);
  CHECK(counters.targets[0] == "/api/v1/nodes?limit=2");
  CHECK(contains(counters.targets[1], "/api/v1/nodes?limit=2&continue="));
  CHECK(contains(counters.targets[1], "%3D"));  // the base64 token is percent-encoded
  CHECK(contains(counters.targets[3], "/api/v1/nodes?watch=1&resourceVersion=" + nodes.stats().watch_rvs[0] +
                                          "&allowWatchBookmarks=true&timeoutSeconds="));

  rec.log.clear();
  h.server->upsert(nodes_path, relabel(node_json("node-b", "10.0.0.12", "10.244.2.0/24"), "rack", "r9"));
  h.server->upsert(nodes_path, node_json("node-f", "10.0.0.16", "10.244.6.0/24"));
  h.server->remove(nodes_path, "node-a");
  REQUIRE(h.run_until([&] { return rec.log.size() == 3; }));
  CHECK(rec.log == std::vector<std::string>{"update node-b", "add node-f", "delete node-a"});
  CHECK(nodes.find("node-b")->meta.labels.at("rack") == "r9");
  CHECK(nodes.find("node-a") == nullptr);
  CHECK(nodes.cache().size() == 5);
  CHECK(nodes.resource_version() == std::to_string(h.server->resource_version()));
}

TEST_CASE("an expired continue token restarts the list from the beginning") {
  Harness h;
  h.add_nodes(5);
  h.server->expire_next_continue();
  Recorder rec;
  Informer<Node> nodes(h.client(), nodes_path, decode_node, rec.node_handlers(), fast_options());
  nodes.start();
  REQUIRE(h.run_until([&] { return nodes.synced(); }));
  CHECK(nodes.stats().gone == 1);
  CHECK(nodes.stats().lists == 1);
  CHECK(nodes.stats().failures == 0);
  CHECK(nodes.cache().size() == 5);
  CHECK(rec.log.size() == 5);  // one add each: the abandoned first page was not delivered
  const auto targets = h.server->counters().targets;
  REQUIRE(targets.size() >= 5);
  CHECK(targets[0] == "/api/v1/nodes?limit=2");
  CHECK(contains(targets[1], "continue="));  // answered 410
  CHECK(targets[2] == "/api/v1/nodes?limit=2");
}

TEST_CASE("a bookmark advances the resourceVersion and the next watch resumes from it") {
  Harness h;
  h.add_nodes(2);
  Recorder rec;
  Informer<Node> nodes(h.client(), nodes_path, decode_node, rec.node_handlers(), fast_options());
  nodes.start();
  REQUIRE(h.run_until([&] { return nodes.synced() && h.server->active_watches(nodes_path) == 1; }));
  const std::string listed = nodes.resource_version();
  h.server->advance_rv(50);  // other resources changed meanwhile
  const std::string mark = std::to_string(h.server->resource_version());
  h.server->bookmark(nodes_path);
  REQUIRE(h.run_until([&] { return nodes.stats().bookmarks == 1; }));
  CHECK(nodes.resource_version() == mark);
  CHECK(mark != listed);
  CHECK(rec.log.size() == 2);  // a bookmark is not an object change

  h.server->end_watches(nodes_path);  // the server's timeoutSeconds ran out
  REQUIRE(h.run_until([&] { return nodes.stats().watches == 2 && h.server->active_watches(nodes_path) == 1; }));
  CHECK(nodes.stats().watch_rvs == std::vector<std::string>{listed, mark});
  CHECK(nodes.stats().lists == 1);
}

TEST_CASE("410 Gone on reconnect: relist, and the diff emits exactly what changed meanwhile") {
  Harness h;
  h.add_nodes(3);
  Recorder rec;
  Informer<Node> nodes(h.client(), nodes_path, decode_node, rec.node_handlers(), fast_options());
  nodes.start();
  REQUIRE(h.run_until([&] { return nodes.synced() && h.server->active_watches(nodes_path) == 1; }));
  rec.log.clear();
  // While the watch is down, b goes, c changes, d arrives, and etcd compacts.
  h.server->with([&](FakeApiServer::State& s) {
    s.drop_watches(nodes_path, /*mid_line=*/false);
    s.remove(nodes_path, "node-b");
    s.upsert(nodes_path, relabel(node_json("node-c", "10.0.0.13", "10.244.3.0/24"), "rack", "r2"));
    s.upsert(nodes_path, node_json("node-d", "10.0.0.14", "10.244.4.0/24"));
    s.compact();
  });
  REQUIRE(h.run_until([&] { return nodes.stats().lists == 2 && rec.log.size() == 3; }));
  CHECK(nodes.stats().gone == 1);
  CHECK(rec.log == std::vector<std::string>{"delete node-b", "update node-c", "add node-d"});
  CHECK(nodes.cache().size() == 3);
  CHECK(nodes.find("node-a") != nullptr);  // unchanged objects are neither dropped nor re-announced
  CHECK(rec.count("add node-a") == 0);
  CHECK(rec.synced == 1);
  CHECK(h.server->counters().watches[nodes_path] >= 2);
  // And it watches again from the new list.
  REQUIRE(h.run_until([&] { return h.server->active_watches(nodes_path) == 1; }));
  h.server->remove(nodes_path, "node-d");
  REQUIRE(h.run_until([&] { return rec.count("delete node-d") == 1; }));
}

TEST_CASE("410 Gone as an ERROR event in the stream, and as the reply to a too-old watch") {
  Harness h;
  h.add_nodes(3);
  h.server->set_gone_as_event(true);
  Recorder rec;
  Informer<Node> nodes(h.client(), nodes_path, decode_node, rec.node_handlers(), fast_options());
  nodes.start();
  REQUIRE(h.run_until([&] { return nodes.synced() && h.server->active_watches(nodes_path) == 1; }));
  rec.log.clear();

  SUBCASE("mid-stream") {
    h.server->with([&](FakeApiServer::State& s) {
      s.gone_event(nodes_path);  // {"type":"ERROR","object":{"kind":"Status",...,"code":410}}
      s.remove(nodes_path, "node-a");
      s.compact();
    });
  }
  SUBCASE("on reconnect") {
    h.server->with([&](FakeApiServer::State& s) {
      s.drop_watches(nodes_path, false);
      s.remove(nodes_path, "node-a");
      s.compact();
    });
  }
  REQUIRE(h.run_until([&] { return nodes.stats().lists == 2 && !rec.log.empty(); }));
  CHECK(nodes.stats().gone == 1);
  CHECK(rec.log == std::vector<std::string>{"delete node-a"});
  CHECK(nodes.cache().size() == 2);
}

TEST_CASE("a connection dropped mid-line: reconnect with backoff, resume, each event once") {
  Harness h;
  h.add_nodes(2);
  Recorder rec;
  Informer<Node> nodes(h.client(), nodes_path, decode_node, rec.node_handlers(), fast_options());
  nodes.start();
  REQUIRE(h.run_until([&] { return nodes.synced() && h.server->active_watches(nodes_path) == 1; }));
  const std::string listed = nodes.resource_version();

  h.server->with([&](FakeApiServer::State& s) {
    s.upsert(nodes_path, node_json("node-x", "10.0.0.50", "10.244.50.0/24"));
    s.drop_watches(nodes_path, /*mid_line=*/true);  // half of node-x's ADDED line, then the socket closes
  });
  REQUIRE(h.run_until([&] { return rec.count("add node-x") == 1; }));
  CHECK(nodes.stats().failures >= 1);
  CHECK(nodes.stats().lists == 1);  // no relist: the watch resumed
  REQUIRE(nodes.stats().watch_rvs.size() >= 2);
  CHECK(nodes.stats().watch_rvs[1] == listed);
  CHECK(nodes.errors() >= 1);
  CHECK(contains(nodes.last_error(), "watch /api/v1/nodes"));
  CHECK(contains(nodes.last_error(), "connection lost"));

  // Dropped between events: the next watch starts after the last one seen.
  REQUIRE(h.run_until([&] { return h.server->active_watches(nodes_path) == 1; }));
  h.server->upsert(nodes_path, node_json("node-y", "10.0.0.51", "10.244.51.0/24"));
  REQUIRE(h.run_until([&] { return rec.count("add node-y") == 1; }));
  const std::string after_y = nodes.resource_version();
  h.server->drop_watches(nodes_path, false);
  REQUIRE(h.run_until([&] { return nodes.stats().watch_rvs.back() == after_y && h.server->active_watches(nodes_path) == 1; }));
  CHECK(rec.count("add node-x") == 1);
  CHECK(rec.count("add node-y") == 1);
}

TEST_CASE("bad JSON and bad objects in the stream: precise errors, the cache keeps its objects") {
  Harness h;
  h.add_nodes(2);
  Recorder rec;
  Informer<Node> nodes(h.client(), nodes_path, decode_node, rec.node_handlers(), fast_options());
  nodes.start();
  REQUIRE(h.run_until([&] { return nodes.synced() && h.server->active_watches(nodes_path) == 1; }));
  const Node before = *nodes.find("node-a");

  json::value broken = node_json("node-a", "10.0.0.11", "10.244.1.0/24");
  broken.at("spec").as_object()["podCIDRs"] = json::array{json::value("10.244.1.0/33")};
  broken.at("metadata").as_object()["resourceVersion"] = "99999";
  h.server->raw_line(nodes_path, "{\"type\":\"MODIFIED\",\"object\":{\"kind\":\"Node\",");
  h.server->raw_line(nodes_path, json::serialize(json::object{{"type", "MODIFIED"}, {"object", broken}}));
  h.server->raw_line(nodes_path, "{\"type\":\"MODIFIED\"}");
  h.server->upsert(nodes_path, relabel(node_json("node-b", "10.0.0.12", "10.244.2.0/24"), "rack", "r3"));
  REQUIRE(h.run_until([&] { return rec.count("update node-b") == 1; }));
  REQUIRE(rec.errors.size() == 3);
  CHECK(contains(rec.errors[0], "watch /api/v1/nodes: an event is not a JSON object"));
  CHECK(rec.errors[1] == "Node node-a: spec.podCIDRs[0]: \"10.244.1.0/33\" is not a CIDR without host bits");
  CHECK(contains(rec.errors[2], "an event lacks type or object"));
  REQUIRE(nodes.find("node-a"));
  CHECK(*nodes.find("node-a") == before);
  CHECK(rec.count("update node-a") == 0);
  CHECK(nodes.stats().failures == 0);  // bad lines are skipped, the stream goes on

  // A relist with the bad object in it keeps the good version too.
  h.server->with([&](FakeApiServer::State& s) {
    s.upsert(nodes_path, broken);
    s.compact();
    s.drop_watches(nodes_path, false);
  });
  REQUIRE(h.run_until([&] { return nodes.stats().lists == 2; }));
  CHECK(*nodes.find("node-a") == before);
  CHECK(rec.count("delete node-a") == 0);
}

TEST_CASE("with on_decode_error, objects that do not decode go there and stream errors to on_error") {
  Harness h;
  h.add_nodes(1);
  Recorder rec;
  std::vector<DecodeError> decode_errors;
  InformerHandlers<Node> handlers = rec.node_handlers();
  handlers.on_decode_error = [&](const DecodeError& e) { decode_errors.push_back(e); };
  Informer<Node> nodes(h.client(), nodes_path, decode_node, handlers, fast_options());
  nodes.start();
  REQUIRE(h.run_until([&] { return nodes.synced() && h.server->active_watches(nodes_path) == 1; }));

  json::value broken = node_json("node-a", "10.0.0.11", "10.244.1.0/24");
  broken.at("spec").as_object()["podCIDRs"] = json::array{json::value("10.244.1.0/33")};
  h.server->raw_line(nodes_path, json::serialize(json::object{{"type", "MODIFIED"}, {"object", broken}}));
  h.server->raw_line(nodes_path, "{\"type\":\"MODIFIED\"}");
  h.server->upsert(nodes_path, relabel(node_json("node-b", "10.0.0.12", "10.244.2.0/24"), "rack", "r3"));
  REQUIRE(h.run_until([&] { return rec.count("add node-b") == 1; }));
  REQUIRE(decode_errors.size() == 1);
  CHECK(decode_errors[0].kind == "Node");
  CHECK(decode_errors[0].object == "node-a");
  CHECK(decode_errors[0].path == "spec.podCIDRs[0]");
  REQUIRE(rec.errors.size() == 1);
  CHECK(contains(rec.errors[0], "an event lacks type or object"));
  CHECK(nodes.errors() == 2);
  CHECK(nodes.last_error() == rec.errors[0]);
}

TEST_CASE("TLS verification is always on: a server certificate from another CA is refused") {
  Harness h;
  h.add_nodes(1);
  ClusterAccess a = h.access();
  a.ca_pem = make_test_pki("some-other-ca").ca.cert_pem;
  Recorder rec;
  Informer<Node> nodes(h.client(a), nodes_path, decode_node, rec.node_handlers(), fast_options());
  nodes.start();
  REQUIRE(h.run_until([&] { return nodes.stats().failures >= 2; }));
  CHECK_FALSE(nodes.synced());
  CHECK(nodes.cache().empty());
  CHECK(contains(nodes.last_error(), "TLS handshake with 127.0.0.1:" + std::to_string(h.server->port()) +
                                         " failed: certificate verify failed"));
  CHECK(h.server->counters().connections == 0);
}

TEST_CASE("the server certificate's names must include the address or name dialled") {
  SUBCASE("a name in the certificate") {
    Harness h;
    ClusterAccess a = h.access();
    a.host = "localhost";
    Informer<Node> nodes(h.client(a), nodes_path, decode_node, {}, fast_options());
    nodes.start();
    REQUIRE(h.run_until([&] { return nodes.synced(); }));
  }
  SUBCASE("the right CA, but a certificate for other addresses") {
    const TestPki other = make_test_pki("ca-for-elsewhere", "DNS:elsewhere.example,IP:192.0.2.1");
    FakeApiServer server(other);
    server.add_collection(nodes_path, "NodeList", "v1");
    asio::io_context ioc;
    SteadyClock clock;
    ClusterAccess a;
    a.host = "127.0.0.1";
    a.port = server.port();
    a.ca_pem = other.ca.cert_pem;
    a.token = "test-token";
    a.source = "test";
    auto client = ApiClient::create(ioc.get_executor(), a, clock);
    REQUIRE(client.has_value());
    Informer<Node> nodes(*client, nodes_path, decode_node, {}, fast_options());
    nodes.start();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (nodes.stats().failures < 1 && std::chrono::steady_clock::now() < deadline)
      ioc.run_one_for(std::chrono::milliseconds(20));
    CHECK_FALSE(nodes.synced());
    CHECK(contains(nodes.last_error(), "certificate verify failed: IP address mismatch"));
  }
}

TEST_CASE("in-cluster access: 401 when the token is wrong, and a rotated token file is picked up") {
  Harness h;
  h.add_nodes(1);
  h.server->set_token("new-token");
  std::string dir_template = (std::filesystem::temp_directory_path() / "petrel-tok-XXXXXX").string();
  const std::string dir = ::mkdtemp(dir_template.data());
  InClusterPaths paths{dir + "/token", dir + "/ca.crt", dir + "/namespace"};
  std::ofstream(paths.token) << "old-token\n";
  std::ofstream(paths.ca) << pki().ca.cert_pem;
  std::ofstream(paths.namespace_file) << "petrel\n";
  const std::string port = std::to_string(h.server->port());
  auto env = [&](const std::string& name) -> std::optional<std::string> {
    if (name == "KUBERNETES_SERVICE_HOST") return std::string("127.0.0.1");
    if (name == "KUBERNETES_SERVICE_PORT") return port;
    return std::nullopt;
  };
  auto a = load_in_cluster(env, paths);
  REQUIRE(a.has_value());
  Recorder rec;
  Informer<Node> nodes(h.client(*a), nodes_path, decode_node, rec.node_handlers(), fast_options());
  nodes.start();
  REQUIRE(h.run_until([&] { return nodes.stats().failures >= 1; }));
  CHECK_FALSE(nodes.synced());
  CHECK(nodes.last_error() == "list /api/v1/nodes: HTTP 401: Unauthorized");
  CHECK(h.server->counters().unauthorized >= 2);  // the first attempt and its retry after re-reading the file

  std::ofstream(paths.token, std::ios::trunc) << "new-token-is-longer\n";  // the kubelet rotated it
  h.server->set_token("new-token-is-longer");
  REQUIRE(h.run_until([&] { return nodes.synced(); }));
  CHECK(nodes.cache().size() == 1);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a client certificate authenticates without a token") {
  Harness h;
  h.add_nodes(2);
  h.server->set_token("");  // no token is accepted
  ClusterAccess a = h.access();
  a.token.clear();
  SUBCASE("with the certificate, from a kubeconfig") {
    std::string dir_template = (std::filesystem::temp_directory_path() / "petrel-kc-XXXXXX").string();
    const std::string dir = ::mkdtemp(dir_template.data());
    std::ofstream(dir + "/config")
        << "apiVersion: v1\nkind: Config\ncurrent-context: lab\n"
        << "clusters:\n- name: lab\n  cluster:\n    server: https://127.0.0.1:" << h.server->port() << "\n"
        << "    certificate-authority-data: " << base64_encode(pki().ca.cert_pem) << "\n"
        << "contexts:\n- name: lab\n  context: {cluster: lab, user: node}\n"
        << "users:\n- name: node\n  user:\n"
        << "    client-certificate-data: " << base64_encode(pki().client.cert_pem) << "\n"
        << "    client-key-data: " << base64_encode(pki().client.key_pem) << "\n";
    auto from_file = load_kubeconfig(dir + "/config");
    std::filesystem::remove_all(dir);
    REQUIRE(from_file.has_value());
    Informer<Node> nodes(h.client(*from_file), nodes_path, decode_node, {}, fast_options());
    nodes.start();
    REQUIRE(h.run_until([&] { return nodes.synced(); }));
    CHECK(nodes.cache().size() == 2);
    CHECK(h.server->counters().unauthorized == 0);
  }
  SUBCASE("without it") {
    Informer<Node> nodes(h.client(a), nodes_path, decode_node, {}, fast_options());
    nodes.start();
    REQUIRE(h.run_until([&] { return nodes.stats().failures >= 1; }));
    CHECK(contains(nodes.last_error(), "HTTP 401"));
  }
  SUBCASE("a key that does not match the certificate is refused at once") {
    a.client_cert_pem = pki().client.cert_pem;
    a.client_key_pem = pki().server.key_pem;
    auto c = ApiClient::create(h.ioc.get_executor(), a, h.clock);
    REQUIRE(c.has_error());
    CHECK(contains(c.error().message, "test: the client key cannot be used with the certificate"));
  }
}

TEST_CASE("when the API server goes away the informer keeps everything it knew") {
  Harness h;
  h.add_nodes(3);
  Recorder rec;
  Informer<Node> nodes(h.client(), nodes_path, decode_node, rec.node_handlers(), fast_options());
  nodes.start();
  REQUIRE(h.run_until([&] { return nodes.synced() && h.server->active_watches(nodes_path) == 1; }));
  rec.log.clear();
  h.server.reset();  // gone: the watch drops, reconnects are refused
  REQUIRE(h.run_until([&] { return nodes.stats().failures >= 4; }));
  CHECK(nodes.cache().size() == 3);
  CHECK(rec.log.empty());
  CHECK(contains(nodes.last_error(), "Connection refused"));
}

TEST_CASE("one named Secret through a field selector, as RBAC resourceNames requires") {
  Harness h;
  h.server->upsert(secrets_path("petrel"), fixture("secret-bgp.json"));
  json::value other = fixture("secret-bgp.json");
  other.at("metadata").as_object()["name"] = "unrelated";
  h.server->upsert(secrets_path("petrel"), other);
  Informer<Secret> secrets(h.client(), named_secret_path("petrel", "bgp-passwords"), decode_secret, {}, fast_options());
  secrets.start();
  REQUIRE(h.run_until([&] { return secrets.synced() && h.server->active_watches(secrets_path("petrel")) == 1; }));
  CHECK(secrets.cache().size() == 1);
  CHECK(h.server->counters().targets[0] ==
        "/api/v1/namespaces/petrel/secrets?fieldSelector=metadata.name%3Dbgp-passwords&limit=2");
  json::value rotated = fixture("secret-bgp.json");
  rotated.at("data").as_object()["tor1"] = "bmV3LXBhc3N3b3Jk";  // "new-password"
  h.server->upsert(secrets_path("petrel"), other);
  h.server->upsert(secrets_path("petrel"), rotated);
  REQUIRE(h.run_until([&] { return secrets.find("petrel/bgp-passwords")->data.at("tor1") == "new-password"; }));
  CHECK(secrets.cache().size() == 1);
}

TEST_CASE("informers for every kind Petrel reads, fed with the fixtures") {
  Harness h;
  h.add_nodes(1);
  h.server->upsert(services_path, fixture("service-lb.json"));
  h.server->upsert(services_path, fixture("service-clusterip.json"));
  h.server->upsert(endpoint_slices_path, fixture("endpointslice-web.json"));
  h.server->upsert(secrets_path("petrel"), fixture("secret-bgp.json"));
  h.server->upsert(pods_path, fixture("pod-web.json"));
  h.server->upsert(namespaces_path, fixture("namespace-shop.json"));
  h.server->upsert(network_policies_path, fixture("networkpolicy-web.json"));
  auto client = h.client();
  Informer<Service> services(client, services_path, decode_service, {}, fast_options());
  Informer<EndpointSlice> slices(client, endpoint_slices_path, decode_endpoint_slice, {}, fast_options());
  Informer<Secret> secrets(client, secrets_path("petrel"), decode_secret, {}, fast_options());
  Informer<Pod> pods(client, pods_path, decode_pod, {}, fast_options());
  Informer<Namespace> namespaces(client, namespaces_path, decode_namespace, {}, fast_options());
  Informer<NetworkPolicy> policies(client, network_policies_path, decode_network_policy, {}, fast_options());
  services.start();
  slices.start();
  secrets.start();
  pods.start();
  namespaces.start();
  policies.start();
  REQUIRE(h.run_until([&] {
    return services.synced() && slices.synced() && secrets.synced() && pods.synced() && namespaces.synced() &&
           policies.synced();
  }));
  CHECK(services.cache().size() == 2);
  REQUIRE(services.find("shop/web"));
  CHECK(services.find("shop/web")->external_traffic_policy == TrafficPolicy::local);
  CHECK(slices.find("shop/web-8kq2v")->service_name == "web");
  CHECK(secrets.find("petrel/bgp-passwords")->data.at("tor1") == "s3cr3t-tor1");
  CHECK(pods.find("shop/web-7c9f8d6b5-x2kq4")->node_name == "node-a");
  CHECK(namespaces.find("shop")->meta.labels.at("team") == "storefront");
  CHECK(policies.find("shop/web-allow-frontend") != nullptr);
  CHECK(services.errors() + slices.errors() + secrets.errors() + pods.errors() + namespaces.errors() + policies.errors() == 0);
}

TEST_CASE("informers feeding derive(): a node leaving and an endpoint moving between nodes") {
  Harness h;
  h.add_nodes(3);  // node-a, node-b, node-c
  h.server->upsert(services_path, service_json("shop", "web", "Local", "10.96.12.34", {}, {"198.51.100.7"}));
  h.server->upsert(endpoint_slices_path, slice_json("shop", "web", "web-abcde", {{"node-a", true}}));
  auto client = h.client();
  int changes = 0;
  InformerHandlers<Node> nh;
  nh.on_add = [&](const Node&) { ++changes; };
  nh.on_delete = [&](const Node&) { ++changes; };
  InformerHandlers<EndpointSlice> sh;
  sh.on_update = [&](const EndpointSlice&, const EndpointSlice&) { ++changes; };
  Informer<Node> nodes(client, nodes_path, decode_node, nh, fast_options());
  Informer<Service> services(client, services_path, decode_service, {}, fast_options());
  Informer<EndpointSlice> slices(client, endpoint_slices_path, decode_endpoint_slice, sh, fast_options());
  nodes.start();
  services.start();
  slices.start();
  REQUIRE(h.run_until([&] {
    return nodes.synced() && services.synced() && slices.synced() && h.server->active_watches(nodes_path) == 1 &&
           h.server->active_watches(endpoint_slices_path) == 1;
  }));
  KubernetesConfig cfg;
  cfg.cluster_ip_ranges = {*Prefix::parse("10.96.0.0/12")};
  cfg.load_balancer_ip_ranges = {*Prefix::parse("198.51.100.0/24")};
  auto announces_lb = [&](const std::string& node) {
    const Derived d = derive(node, 64512, cfg, ClusterState{&nodes.cache(), &services.cache(), &slices.cache()});
    return std::any_of(d.announcements.begin(), d.announcements.end(),
                       [](const Announcement& a) { return a.prefix == *Prefix::parse("198.51.100.7/32"); });
  };
  auto peers_of = [&](const std::string& node) {
    std::vector<std::string> out;
    for (const auto& p : derive(node, 64512, cfg, ClusterState{&nodes.cache(), &services.cache(), &slices.cache()}).peers)
      out.push_back(p.name);
    return out;
  };
  CHECK(announces_lb("node-a"));
  CHECK_FALSE(announces_lb("node-b"));
  CHECK(peers_of("node-a") == std::vector<std::string>{"node-node-b", "node-node-c"});

  changes = 0;
  h.server->upsert(endpoint_slices_path, slice_json("shop", "web", "web-abcde", {{"node-a", false}, {"node-b", true}}));
  REQUIRE(h.run_until([&] { return changes == 1; }));
  CHECK_FALSE(announces_lb("node-a"));
  CHECK(announces_lb("node-b"));

  h.server->remove(nodes_path, "node-c");
  REQUIRE(h.run_until([&] { return changes == 2; }));
  CHECK(peers_of("node-a") == std::vector<std::string>{"node-node-b"});
  h.server->upsert(nodes_path, node_json("node-d", "10.0.0.14", "10.244.4.0/24"));
  REQUIRE(h.run_until([&] { return changes == 3; }));
  CHECK(peers_of("node-a") == std::vector<std::string>{"node-node-b", "node-node-d"});

  // The API server goes away: what petreld would announce does not change.
  h.server.reset();
  REQUIRE(h.run_until([&] { return nodes.stats().failures >= 2 && slices.stats().failures >= 2; }));
  CHECK(announces_lb("node-b"));
  CHECK(peers_of("node-a") == std::vector<std::string>{"node-node-b", "node-node-d"});
}
