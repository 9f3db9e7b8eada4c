// k8s/node.cpp — decoding a core/v1 Node.
//
// Kubernetes API reference, Node v1: spec.podCIDRs lists at most one CIDR per
// family and its first entry equals spec.podCIDR (older servers send only
// podCIDR); status.addresses has typed entries (InternalIP, ExternalIP,
// Hostname, ...); status.conditions[type=Ready] says whether the kubelet is healthy.
#include "k8s/meta_decode.hpp"

namespace petrel::k8s {

Decoded<Node> decode_node(const boost::json::value& object) {
  detail::FieldReader r;
  Node node;
  const auto* root = detail::read_meta(r, object, node.meta);
  const auto* spec = r.object(root, "spec", "");
  const auto* status = r.object(root, "status", "");

  std::vector<std::string> cidrs = r.string_list(spec, "podCIDRs", "spec");
  std::string cidrs_path = "spec.podCIDRs";
  if (cidrs.empty()) {
    std::string one = r.string(spec, "podCIDR", "spec");
    if (!one.empty()) cidrs.push_back(one);
    cidrs_path = "spec.podCIDR";
  }
  for (std::size_t i = 0; i < cidrs.size(); ++i) {
    auto p = Prefix::parse(cidrs[i], /*require_canonical=*/true);
    if (!p) {
      r.fail(cidrs_path == "spec.podCIDR" ? cidrs_path : detail::index_path(cidrs_path, i),
             "\"" + cidrs[i] + "\" is not a CIDR without host bits");
      break;
    }
    node.pod_cidrs.push_back(*p);
  }
  node.unschedulable = r.boolean(spec, "unschedulable", "spec").value_or(false);

  if (const auto* addresses = r.array(status, "addresses", "status")) {
    for (std::size_t i = 0; i < addresses->size(); ++i) {
      const std::string path = detail::index_path("status.addresses", i);
      const auto* a = r.element_object((*addresses)[i], path);
      if (r.string(a, "type", path) != "InternalIP") continue;
      if (auto ip = detail::parse_ip(r, r.string(a, "address", path, true), detail::join_path(path, "address")))
        node.internal_ips.push_back(*ip);
    }
  }
  if (const auto* conditions = r.array(status, "conditions", "status")) {
    for (std::size_t i = 0; i < conditions->size(); ++i) {
      const std::string path = detail::index_path("status.conditions", i);
      const auto* c = r.element_object((*conditions)[i], path);
      if (r.string(c, "type", path) == "Ready") node.ready = r.string(c, "status", path) == "True";
    }
  }
  if (r.failed()) return detail::make_error(r, "Node", node.meta);
  return node;
}

}  // namespace petrel::k8s
