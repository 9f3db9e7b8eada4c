#include "policy/k8s_convert.hpp"

#include "policy/policy_reader.hpp"

#include <charconv>

namespace petrel::policy {

DocNode doc_from_json(const boost::json::value& value) {
  namespace json = boost::json;
  switch (value.kind()) {
    case json::kind::null: return DocNode::null();
    case json::kind::bool_: return DocNode::scalar(value.get_bool() ? "true" : "false");
    case json::kind::int64: return DocNode::scalar(std::to_string(value.get_int64()));
    case json::kind::uint64: return DocNode::scalar(std::to_string(value.get_uint64()));
    case json::kind::double_: {
      char buf[32];
      auto end = std::to_chars(buf, buf + sizeof buf, value.get_double()).ptr;  // shortest round trip: 1.5
      return DocNode::scalar(std::string(buf, end));
    }
    case json::kind::string: return DocNode::scalar(std::string(value.get_string()));
    case json::kind::array: {
      std::vector<DocNode> items;
      items.reserve(value.get_array().size());
      for (const auto& item : value.get_array()) items.push_back(doc_from_json(item));
      return DocNode::sequence(std::move(items));
    }
    case json::kind::object: {
      std::vector<std::pair<std::string, DocNode>> fields;
      fields.reserve(value.get_object().size());
      for (const auto& kv : value.get_object()) fields.emplace_back(std::string(kv.key()), doc_from_json(kv.value()));
      return DocNode::map(std::move(fields));
    }
  }
  return DocNode();
}

Result<NetworkPolicy, k8s::DecodeError> convert_policy(const k8s::NetworkPolicy& object) {
  const std::string& ns = object.meta.namespace_;
  auto fail = [&](std::string path, std::string message) {
    return k8s::DecodeError{"NetworkPolicy", object.meta.key(), std::move(path), std::move(message)};
  };
  if (!is_dns_label(ns)) return fail("metadata.namespace", "'" + ns + "' is not a valid namespace name");
  auto np = read_policy_spec(doc_from_json(object.spec), ns, object.meta.name);
  if (!np) return fail(np.error().path, np.error().message);
  np->origin = "NetworkPolicy " + object.meta.key();
  return std::move(*np);
}

std::optional<Pod> convert_pod(const k8s::Pod& object, const std::string& node_name) {
  if (object.host_network || object.pod_ips.empty()) return std::nullopt;
  if (object.phase == "Succeeded" || object.phase == "Failed") return std::nullopt;
  Pod pod;
  pod.ns = object.meta.namespace_;
  pod.name = object.meta.name;
  pod.labels = object.meta.labels;
  pod.ips = object.pod_ips;
  pod.local = node_name.empty() || object.node_name == node_name;
  for (const auto& c : object.containers) {
    for (const auto& p : c.ports) {
      // k8s::decode_pod has checked the number (1..65535) and the protocol.
      Protocol protocol = p.protocol == "UDP" ? Protocol::udp : p.protocol == "SCTP" ? Protocol::sctp : Protocol::tcp;
      pod.ports.push_back(ContainerPort{p.name, static_cast<uint16_t>(p.container_port), protocol});
    }
  }
  return pod;
}

Namespace convert_namespace(const k8s::Namespace& object) {
  Namespace ns{object.meta.name, object.meta.labels};
  ns.labels["kubernetes.io/metadata.name"] = object.meta.name;
  return ns;
}

}  // namespace petrel::policy
