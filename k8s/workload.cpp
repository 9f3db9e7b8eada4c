// k8s/workload.cpp — decoding the kinds petrel-policy reads: Pod, Namespace, NetworkPolicy.
//
// Kubernetes API reference: Pod v1 (spec.nodeName, spec.hostNetwork,
// spec.containers[].ports[] with containerPort 1..65535 and protocol TCP (default),
// UDP or SCTP; status.podIPs, first equal to status.podIP), Namespace v1,
// NetworkPolicy networking.k8s.io/v1 (spec kept as sent).
#include "k8s/meta_decode.hpp"

namespace petrel::k8s {

Decoded<Pod> decode_pod(const boost::json::value& object) {
  detail::FieldReader r;
  Pod pod;
  const auto* root = detail::read_meta(r, object, pod.meta);
  const auto* spec = r.object(root, "spec", "");
  const auto* status = r.object(root, "status", "");
  pod.node_name = r.string(spec, "nodeName", "spec");
  pod.host_network = r.boolean(spec, "hostNetwork", "spec").value_or(false);
  pod.phase = r.string(status, "phase", "status");

  if (const auto* ips = r.array(status, "podIPs", "status"); ips != nullptr && !ips->empty()) {
    for (std::size_t i = 0; i < ips->size(); ++i) {
      const std::string path = detail::index_path("status.podIPs", i);
      const auto* e = r.element_object((*ips)[i], path);
      if (auto ip = detail::parse_ip(r, r.string(e, "ip", path, true), detail::join_path(path, "ip")))
        pod.pod_ips.push_back(*ip);
    }
  } else if (std::string one = r.string(status, "podIP", "status"); !one.empty()) {
    if (auto ip = detail::parse_ip(r, one, "status.podIP")) pod.pod_ips.push_back(*ip);
  }

  if (const auto* containers = r.array(spec, "containers", "spec")) {
    for (std::size_t i = 0; i < containers->size(); ++i) {
      const std::string path = detail::index_path("spec.containers", i);
      const auto* c = r.element_object((*containers)[i], path);
      Container container;
      container.name = r.string(c, "name", path, true);
      if (const auto* ports = r.array(c, "ports", path)) {
        for (std::size_t j = 0; j < ports->size(); ++j) {
          const std::string ppath = detail::index_path(detail::join_path(path, "ports"), j);
          const auto* p = r.element_object((*ports)[j], ppath);
          ContainerPort port;
          port.name = r.string(p, "name", ppath);
          const auto number = r.integer(p, "containerPort", ppath);
          if (!number || *number < 1 || *number > 65535) {
            r.fail(detail::join_path(ppath, "containerPort"), "must be a port number 1..65535");
          } else {
            port.container_port = static_cast<int32_t>(*number);
          }
          std::string protocol = r.string(p, "protocol", ppath);
          if (!protocol.empty()) port.protocol = protocol;
          if (port.protocol != "TCP" && port.protocol != "UDP" && port.protocol != "SCTP")
            r.fail(detail::join_path(ppath, "protocol"), "must be TCP, UDP or SCTP, got \"" + port.protocol + "\"");
          container.ports.push_back(std::move(port));
        }
      }
      pod.containers.push_back(std::move(container));
    }
  }
  if (r.failed()) return detail::make_error(r, "Pod", pod.meta);
  return pod;
}

Decoded<Namespace> decode_namespace(const boost::json::value& object) {
  detail::FieldReader r;
  Namespace ns;
  detail::read_meta(r, object, ns.meta);
  if (r.failed()) return detail::make_error(r, "Namespace", ns.meta);
  return ns;
}

Decoded<NetworkPolicy> decode_network_policy(const boost::json::value& object) {
  detail::FieldReader r;
  NetworkPolicy np;
  const auto* root = detail::read_meta(r, object, np.meta);
  if (const auto* spec = r.object(root, "spec", "")) np.spec = *spec;
  if (r.failed()) return detail::make_error(r, "NetworkPolicy", np.meta);
  return np;
}

}  // namespace petrel::k8s
