// Decoding real-format Kubernetes objects, and precise errors for bad ones.
#include "k8s/models.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "tests/k8s/support/fixtures.hpp"

namespace json = boost::json;
using namespace petrel;
using namespace petrel::k8s;
using petrel::k8s::test::fixture;

namespace {

IpAddress ip(const char* s) { return *IpAddress::parse(s); }
Prefix pfx(const char* s) { return *Prefix::parse(s); }

// The fixture with the JSON value at a dotted path replaced.
json::value with_field(json::value v, std::initializer_list<std::string_view> path, json::value replacement) {
  json::value* at = &v;
  for (auto key : path) at = &at->as_object()[key];
  *at = std::move(replacement);
  return v;
}

}  // namespace

TEST_CASE("a Node decodes from kubectl's JSON") {
  auto node = decode_node(fixture("node-a.json"));
  REQUIRE(node.has_value());
  CHECK(node->meta.name == "node-a");
  CHECK(node->meta.namespace_.empty());
  CHECK(node->meta.key() == "node-a");
  CHECK(node->meta.resource_version == "4711");
  CHECK(node->meta.labels.at("topology.kubernetes.io/zone") == "rack1");
  CHECK(node->pod_cidrs == std::vector<Prefix>{pfx("10.244.1.0/24"), pfx("fd00:10:244:1::/64")});
  CHECK(node->internal_ips == std::vector<IpAddress>{ip("10.0.0.11"), ip("fd00::11")});
  CHECK(node->ready);
  CHECK_FALSE(node->unschedulable);
}

TEST_CASE("a Node from an older server has only spec.podCIDR") {
  json::value v = fixture("node-a.json");
  v.at("spec").as_object().erase("podCIDRs");
  auto node = decode_node(v);
  REQUIRE(node.has_value());
  CHECK(node->pod_cidrs == std::vector<Prefix>{pfx("10.244.1.0/24")});
}

TEST_CASE("a Node whose Ready condition is not True is not ready") {
  json::value v = fixture("node-a.json");
  v.at("status").at("conditions").as_array()[3].as_object()["status"] = "Unknown";
  auto node = decode_node(v);
  REQUIRE(node.has_value());
  CHECK_FALSE(node->ready);
}

TEST_CASE("bad Node fields give the kind, the object and the field's path") {
  SUBCASE("a pod CIDR with host bits") {
    auto node = decode_node(with_field(fixture("node-a.json"), {"spec", "podCIDRs"},
                                       json::array{json::value("10.244.1.0/24"), json::value("fd00::1/64")}));
    REQUIRE(node.has_error());
    CHECK(node.error().to_string() == "Node node-a: spec.podCIDRs[1]: \"fd00::1/64\" is not a CIDR without host bits");
  }
  SUBCASE("an address that is not an IP") {
    json::value v = fixture("node-a.json");
    v.at("status").at("addresses").as_array()[0].as_object()["address"] = "10.0.0.300";
    auto node = decode_node(v);
    REQUIRE(node.has_error());
    CHECK(node.error().path == "status.addresses[0].address");
    CHECK(node.error().message == "\"10.0.0.300\" is not an IP address");
  }
  SUBCASE("labels of the wrong type") {
    auto node = decode_node(with_field(fixture("node-a.json"), {"metadata", "labels"}, json::array{}));
    REQUIRE(node.has_error());
    CHECK(node.error().path == "metadata.labels");
    CHECK(node.error().message == "must be an object, got a list []");
  }
  SUBCASE("a label value that is a number") {
    json::value v = fixture("node-a.json");
    v.at("metadata").at("labels").as_object()["rack"] = 7;
    auto node = decode_node(v);
    REQUIRE(node.has_error());
    CHECK(node.error().path == "metadata.labels.rack");
  }
  SUBCASE("no name") {
    json::value v = fixture("node-a.json");
    v.at("metadata").as_object().erase("name");
    auto node = decode_node(v);
    REQUIRE(node.has_error());
    CHECK(node.error().to_string() == "Node: metadata.name: is required");
  }
  SUBCASE("not an object at all") {
    auto node = decode_node(json::value("node-a"));
    REQUIRE(node.has_error());
    CHECK(node.error().message == "must be an object, got the string \"node-a\"");
  }
}

TEST_CASE("a LoadBalancer Service with externalTrafficPolicy Local") {
  auto svc = decode_service(fixture("service-lb.json"));
  REQUIRE(svc.has_value());
  CHECK(svc->meta.key() == "shop/web");
  CHECK(svc->type == "LoadBalancer");
  CHECK(svc->cluster_ips == std::vector<IpAddress>{ip("10.96.12.34")});
  CHECK(svc->external_ips == std::vector<IpAddress>{ip("192.0.2.10")});
  CHECK(svc->load_balancer_ips == std::vector<IpAddress>{ip("198.51.100.7")});
  CHECK(svc->external_traffic_policy == TrafficPolicy::local);
}

TEST_CASE("a ClusterIP Service, a headless one and a hostname-only ingress") {
  auto svc = decode_service(fixture("service-clusterip.json"));
  REQUIRE(svc.has_value());
  CHECK(svc->type == "ClusterIP");
  CHECK(svc->external_traffic_policy == TrafficPolicy::cluster);
  CHECK(svc->cluster_ips == std::vector<IpAddress>{ip("10.96.0.1")});
  CHECK(svc->load_balancer_ips.empty());

  json::value headless = fixture("service-clusterip.json");
  headless.at("spec").as_object()["clusterIP"] = "None";
  headless.at("spec").as_object()["clusterIPs"] = json::array{json::value("None")};
  auto h = decode_service(headless);
  REQUIRE(h.has_value());
  CHECK(h->cluster_ips.empty());

  json::value named = fixture("service-lb.json");
  named.at("status").at("loadBalancer").as_object()["ingress"] =
      json::array{json::object{{"hostname", "lb.example.net"}}};
  auto n = decode_service(named);
  REQUIRE(n.has_value());
  CHECK(n->load_balancer_ips.empty());
}

TEST_CASE("a Service with an unknown traffic policy or a bad external IP") {
  auto a = decode_service(with_field(fixture("service-lb.json"), {"spec", "externalTrafficPolicy"}, "Nearby"));
  REQUIRE(a.has_error());
  CHECK(a.error().to_string() == "Service shop/web: spec.externalTrafficPolicy: must be Cluster or Local, got \"Nearby\"");
  auto b = decode_service(with_field(fixture("service-lb.json"), {"spec", "externalIPs"}, json::array{json::value("x")}));
  REQUIRE(b.has_error());
  CHECK(b.error().path == "spec.externalIPs[0]");
}

TEST_CASE("an EndpointSlice names its service and its endpoints' nodes") {
  auto slice = decode_endpoint_slice(fixture("endpointslice-web.json"));
  REQUIRE(slice.has_value());
  CHECK(slice->meta.key() == "shop/web-8kq2v");
  CHECK(slice->service_name == "web");
  CHECK(slice->address_type == "IPv4");
  REQUIRE(slice->endpoints.size() == 1);
  CHECK(slice->endpoints[0].node_name == "node-a");
  CHECK(slice->endpoints[0].ready);
  CHECK(slice->endpoints[0].addresses == std::vector<std::string>{"10.244.1.17"});
}

TEST_CASE("an endpoint without conditions.ready counts as ready (API reference)") {
  json::value v = fixture("endpointslice-web.json");
  v.at("endpoints").as_array()[0].as_object()["conditions"] = json::object{};
  auto slice = decode_endpoint_slice(v);
  REQUIRE(slice.has_value());
  CHECK(slice->endpoints[0].ready);
  v.at("endpoints").as_array()[0].as_object()["conditions"] = json::object{{"ready", "yes"}};
  auto bad = decode_endpoint_slice(v);
  REQUIRE(bad.has_error());
  CHECK(bad.error().path == "endpoints[0].conditions.ready");
}

TEST_CASE("a Secret's data is base64-decoded") {
  auto secret = decode_secret(fixture("secret-bgp.json"));
  REQUIRE(secret.has_value());
  CHECK(secret->meta.key() == "petrel/bgp-passwords");
  CHECK(secret->data.at("tor1") == "s3cr3t-tor1");
  CHECK(secret->data.at("tor2") == "password2");
  auto bad = decode_secret(with_field(fixture("secret-bgp.json"), {"data", "tor1"}, "not*base64"));
  REQUIRE(bad.has_error());
  CHECK(bad.error().to_string() == "Secret petrel/bgp-passwords: data.tor1: is not valid base64");
}

TEST_CASE("base64 per RFC 4648") {
  CHECK(decode_base64("") == std::string());
  CHECK(decode_base64("Zg==") == std::string("f"));
  CHECK(decode_base64("Zm8=") == std::string("fo"));
  CHECK(decode_base64("Zm9v") == std::string("foo"));
  CHECK_FALSE(decode_base64("Zm9").has_value());
  CHECK_FALSE(decode_base64("Z===").has_value());
  CHECK_FALSE(decode_base64("Zg=a").has_value());
  CHECK_FALSE(decode_base64("Zg==Zg==").has_value());
}

TEST_CASE("a Pod with two families, named ports and a UDP port") {
  auto pod = decode_pod(fixture("pod-web.json"));
  REQUIRE(pod.has_value());
  CHECK(pod->meta.key() == "shop/web-7c9f8d6b5-x2kq4");
  CHECK(pod->meta.labels.at("app") == "web");
  CHECK(pod->node_name == "node-a");
  CHECK_FALSE(pod->host_network);
  CHECK(pod->phase == "Running");
  CHECK(pod->pod_ips == std::vector<IpAddress>{ip("10.244.1.17"), ip("fd00:10:244:1::17")});
  REQUIRE(pod->containers.size() == 2);
  CHECK(pod->containers[0].ports[0] == ContainerPort{"http", 8080, "TCP"});
  CHECK(pod->containers[1].ports[0] == ContainerPort{"", 5353, "UDP"});
  json::value bad = fixture("pod-web.json");
  bad.at("spec").at("containers").as_array()[0].at("ports").as_array()[1].as_object()["containerPort"] = 70000;
  auto b = decode_pod(bad);
  REQUIRE(b.has_error());
  CHECK(b.error().path == "spec.containers[0].ports[1].containerPort");
}

TEST_CASE("a Namespace and a NetworkPolicy") {
  auto ns = decode_namespace(fixture("namespace-shop.json"));
  REQUIRE(ns.has_value());
  CHECK(ns->meta.key() == "shop");
  CHECK(ns->meta.labels.at("team") == "storefront");
  auto np = decode_network_policy(fixture("networkpolicy-web.json"));
  REQUIRE(np.has_value());
  CHECK(np->meta.key() == "shop/web-allow-frontend");
  CHECK(np->spec.at("policyTypes").as_array()[0].as_string() == "Ingress");
}

TEST_CASE("a deletionTimestamp marks an object being deleted") {
  json::value v = fixture("node-a.json");
  v.at("metadata").as_object()["deletionTimestamp"] = "2024-05-02T11:00:00Z";
  auto node = decode_node(v);
  REQUIRE(node.has_value());
  CHECK(node->meta.being_deleted);
}
