// k8s benchmark: figures for the Kubernetes side of "a service IP appearing or
// disappearing is announced or withdrawn within a second".
//  1. watch latency: a Service changed on the local HTTPS API server (the tests'
//     list/watch server, tests/k8s/support/) until the informer's handler runs;
//  2. list: a cold list of N nodes in pages of 500 until synced();
//  3. derive(): the pure mapping over a large cluster (nodes, services, slices).
// Prints plain lines; never fails.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "k8s/derive.hpp"
#include "k8s/informer.hpp"
#include "tests/k8s/support/fake_api_server.hpp"
#include "tests/k8s/support/fixtures.hpp"

using namespace petrel;
using namespace petrel::k8s;
using namespace petrel::k8s::test;
using Wall = std::chrono::steady_clock;

namespace {

double ms(Wall::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

template <class Pred>
void run_until(boost::asio::io_context& ioc, Pred done) {
  const auto deadline = Wall::now() + std::chrono::seconds(60);
  while (!done() && Wall::now() < deadline) {
    ioc.run_one_for(std::chrono::milliseconds(5));
    if (ioc.stopped()) ioc.restart();
  }
}

std::string node_name(int i) { return "node-" + std::to_string(i); }
std::string node_ip(int i) { return "10." + std::to_string(1 + i / 250) + "." + std::to_string(i % 250) + ".1"; }
std::string node_cidr(int i) { return "10.200." + std::to_string(i % 256) + ".0/24"; }

}  // namespace

int main() {
  const TestPki pki = make_test_pki();
  FakeApiServer server(pki);
  server.add_collection(nodes_path, "NodeList", "v1");
  server.add_collection(services_path, "ServiceList", "v1");
  boost::asio::io_context ioc;
  SteadyClock steady;
  ClusterAccess access;
  access.host = "127.0.0.1";
  access.port = server.port();
  access.ca_pem = pki.ca.cert_pem;
  access.token = "test-token";
  access.source = "bench";
  auto client = *ApiClient::create(ioc.get_executor(), access, steady);

  // 1. Watch latency.
  server.upsert(services_path, service_json("shop", "web", "Local", "10.96.12.34", {}, {"198.51.100.7"}));
  Wall::time_point changed_at;
  std::vector<double> latencies;
  InformerHandlers<Service> h;
  h.on_update = [&](const Service&, const Service&) { latencies.push_back(ms(Wall::now() - changed_at)); };
  Informer<Service> services(client, services_path, decode_service, h);
  services.start();
  run_until(ioc, [&] { return services.synced() && server.active_watches(services_path) == 1; });
  const int rounds = 300;
  for (int i = 0; i < rounds; ++i) {
    const std::string ip = "198.51.100." + std::to_string(1 + i % 200);
    auto svc = service_json("shop", "web", "Local", "10.96.12.34", {}, {ip});
    const std::size_t before = latencies.size();
    changed_at = Wall::now();
    server.upsert(services_path, std::move(svc));
    run_until(ioc, [&] { return latencies.size() > before; });
  }
  std::sort(latencies.begin(), latencies.end());
  if (!latencies.empty()) {
    std::printf("watch latency (server change -> informer handler), %zu events: median %.3f ms, p99 %.3f ms, max %.3f ms\n",
                latencies.size(), latencies[latencies.size() / 2], latencies[latencies.size() * 99 / 100],
                latencies.back());
  }

  // 2. A cold list of many nodes.
  for (int n : {1000, 5000}) {
    FakeApiServer big(pki);
    big.add_collection(nodes_path, "NodeList", "v1");
    big.with([&](FakeApiServer::State& s) {
      for (int i = 0; i < n; ++i) s.upsert(nodes_path, node_json(node_name(i), node_ip(i), node_cidr(i)));
    });
    ClusterAccess a = access;
    a.port = big.port();
    auto c = *ApiClient::create(ioc.get_executor(), a, steady);
    Informer<Node> nodes(c, nodes_path, decode_node);
    const auto t0 = Wall::now();
    nodes.start();
    run_until(ioc, [&] { return nodes.synced(); });
    const double t = ms(Wall::now() - t0);
    std::printf("list of %d nodes (pages of 500) until synced: %.1f ms (%.0f nodes/s), cached %zu\n", n, t,
                n / (t / 1000.0), nodes.cache().size());
  }

  // 3. derive() over a large cluster.
  for (auto [n_nodes, n_services] : {std::pair{100, 1000}, std::pair{1000, 5000}}) {
    std::map<std::string, Node> nodes;
    std::map<std::string, Service> svcs;
    std::map<std::string, EndpointSlice> slices;
    for (int i = 0; i < n_nodes; ++i) nodes[node_name(i)] = *decode_node(node_json(node_name(i), node_ip(i), node_cidr(i)));
    for (int i = 0; i < n_services; ++i) {
      const std::string name = "svc-" + std::to_string(i);
      const std::string lb = "198.51." + std::to_string(100 + i / 250) + "." + std::to_string(1 + i % 250);
      svcs["shop/" + name] = *decode_service(service_json("shop", name, i % 2 ? "Local" : "Cluster",
                                                          "10.96." + std::to_string(i / 250) + "." + std::to_string(1 + i % 250),
                                                          {}, {lb}));
      slices["shop/" + name + "-x"] =
          *decode_endpoint_slice(slice_json("shop", name, name + "-x", {{node_name(i % n_nodes), true}, {node_name((i + 7) % n_nodes), true}}));
    }
    KubernetesConfig cfg;
    cfg.cluster_ip_ranges = {*Prefix::parse("10.96.0.0/12")};
    cfg.load_balancer_ip_ranges = {*Prefix::parse("198.51.0.0/16")};
    const ClusterState state{&nodes, &svcs, &slices};
    const int reps = 20;
    std::size_t announced = 0;
    const auto t0 = Wall::now();
    for (int r = 0; r < reps; ++r) announced += derive(node_name(r % n_nodes), 64512, cfg, state).announcements.size();
    const double t = ms(Wall::now() - t0) / reps;
    std::printf("derive() with %d nodes, %d services, %d slices: %.2f ms per run (%zu announcements on average)\n",
                n_nodes, n_services, n_services, t, announced / reps);
  }
  return 0;
}
