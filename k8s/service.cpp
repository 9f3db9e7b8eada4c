// k8s/service.cpp — decoding a core/v1 Service.
//
// Kubernetes API reference, Service v1: spec.clusterIPs holds one address per
// family (first equal to spec.clusterIP), "None" for headless services;
// spec.externalIPs are operator-chosen addresses; status.loadBalancer.ingress[]
// carries an ip or a hostname; spec.externalTrafficPolicy is "Cluster" (default)
// or "Local" (only nodes with local endpoints should attract traffic).
#include "k8s/meta_decode.hpp"

namespace petrel::k8s {

namespace {

void read_ips(detail::FieldReader& r, const std::vector<std::string>& texts, std::string_view path,
              std::vector<IpAddress>& out) {
  for (std::size_t i = 0; i < texts.size(); ++i) {
    if (texts[i] == "None" || texts[i].empty()) continue;  // headless
    if (auto ip = detail::parse_ip(r, texts[i], detail::index_path(path, i))) out.push_back(*ip);
  }
}

}  // namespace

Decoded<Service> decode_service(const boost::json::value& object) {
  detail::FieldReader r;
  Service svc;
  const auto* root = detail::read_meta(r, object, svc.meta);
  const auto* spec = r.object(root, "spec", "");
  const auto* status = r.object(root, "status", "");

  svc.type = r.string(spec, "type", "spec");
  if (svc.type.empty()) svc.type = "ClusterIP";
  std::vector<std::string> cluster = r.string_list(spec, "clusterIPs", "spec");
  if (cluster.empty()) {
    std::string one = r.string(spec, "clusterIP", "spec");
    if (!one.empty() && one != "None") {
      if (auto ip = detail::parse_ip(r, one, "spec.clusterIP")) svc.cluster_ips.push_back(*ip);
    }
  } else {
    read_ips(r, cluster, "spec.clusterIPs", svc.cluster_ips);
  }
  read_ips(r, r.string_list(spec, "externalIPs", "spec"), "spec.externalIPs", svc.external_ips);

  const std::string policy = r.string(spec, "externalTrafficPolicy", "spec");
  if (policy == "Local") {
    svc.external_traffic_policy = TrafficPolicy::local;
  } else if (policy.empty() || policy == "Cluster") {
    svc.external_traffic_policy = TrafficPolicy::cluster;
  } else if (!r.failed()) {
    r.fail("spec.externalTrafficPolicy", "must be Cluster or Local, got \"" + policy + "\"");
  }

  const auto* lb = r.object(status, "loadBalancer", "status");
  if (const auto* ingress = r.array(lb, "ingress", "status.loadBalancer")) {
    for (std::size_t i = 0; i < ingress->size(); ++i) {
      const std::string path = detail::index_path("status.loadBalancer.ingress", i);
      const auto* e = r.element_object((*ingress)[i], path);
      const std::string ip = r.string(e, "ip", path);
      if (ip.empty()) continue;  // a hostname-only ingress: nothing to route
      if (auto a = detail::parse_ip(r, ip, detail::join_path(path, "ip"))) svc.load_balancer_ips.push_back(*a);
    }
  }
  if (r.failed()) return detail::make_error(r, "Service", svc.meta);
  return svc;
}

}  // namespace petrel::k8s
