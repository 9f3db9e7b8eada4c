// k8s/models.hpp — typed Kubernetes objects decoded from the API server's JSON.
//
// Each decode_x() takes one object exactly as the API server sends it (the
// same shape as `kubectl get KIND NAME -o json`) and returns a value or a
// DecodeError naming the kind, the object and the path of the bad field. Only the
// fields Petrel uses are kept; unknown fields are ignored, so newer API servers
// decode fine. Decoders never throw and never crash on bad JSON. Pure, no I/O.
//
// References (Kubernetes API reference, v1.32): Node (core/v1), Service (core/v1),
// EndpointSlice (discovery.k8s.io/v1), Secret (core/v1), Pod (core/v1),
// Namespace (core/v1), NetworkPolicy (networking.k8s.io/v1).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/ip.hpp"
#include "core/result.hpp"

namespace petrel::k8s {

struct DecodeError {
  std::string kind;     // "Node"
  std::string object;   // "node-a" or "default/web"; empty when the name is unknown
  std::string path;     // "spec.podCIDRs[1]"; empty for the whole object
  std::string message;  // "\"10.0.0.1/33\" is not a CIDR"
  std::string to_string() const;  // "Node node-a: spec.podCIDRs[1]: ..."
  friend bool operator==(const DecodeError&, const DecodeError&) = default;
};

template <class T>
using Decoded = Result<T, DecodeError>;

struct ObjectMeta {
  std::string namespace_;  // empty for cluster-scoped kinds
  std::string name;
  std::string uid;
  std::string resource_version;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  bool being_deleted = false;  // metadata.deletionTimestamp is set

  // The informer cache key: "namespace/name", or "name" when cluster-scoped.
  std::string key() const { return namespace_.empty() ? name : namespace_ + "/" + name; }
  friend bool operator==(const ObjectMeta&, const ObjectMeta&) = default;
};

struct Node {
  ObjectMeta meta;
  std::vector<Prefix> pod_cidrs;        // spec.podCIDRs, else spec.podCIDR
  std::vector<IpAddress> internal_ips;  // status.addresses[type=InternalIP], in order
  bool ready = false;                   // status.conditions[type=Ready].status == "True"
  bool unschedulable = false;
  friend bool operator==(const Node&, const Node&) = default;
};

enum class TrafficPolicy { cluster, local };

struct Service {
  ObjectMeta meta;
  std::string type;                         // ClusterIP, NodePort, LoadBalancer, ExternalName
  std::vector<IpAddress> cluster_ips;       // spec.clusterIPs (else clusterIP); "None" skipped
  std::vector<IpAddress> external_ips;      // spec.externalIPs
  std::vector<IpAddress> load_balancer_ips; // status.loadBalancer.ingress[].ip (hostnames skipped)
  TrafficPolicy external_traffic_policy = TrafficPolicy::cluster;
  friend bool operator==(const Service&, const Service&) = default;
};

struct Endpoint {
  std::vector<std::string> addresses;  // as sent: IPs for IPv4/IPv6 slices, names for FQDN
  bool ready = true;        // conditions.ready; absent means ready (API reference)
  bool serving = true;      // conditions.serving; absent follows ready
  bool terminating = false; // conditions.terminating
  std::string node_name;    // nodeName; empty when unknown
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

struct EndpointSlice {
  ObjectMeta meta;
  std::string service_name;  // label kubernetes.io/service-name
  std::string address_type;  // IPv4, IPv6, FQDN
  std::vector<Endpoint> endpoints;
  friend bool operator==(const EndpointSlice&, const EndpointSlice&) = default;
};

struct Secret {
  ObjectMeta meta;
  std::string type;
  std::map<std::string, std::string> data;  // base64-decoded bytes
  friend bool operator==(const Secret&, const Secret&) = default;
};

struct ContainerPort {
  std::string name;
  int32_t container_port = 0;
  std::string protocol = "TCP";
  friend bool operator==(const ContainerPort&, const ContainerPort&) = default;
};

struct Container {
  std::string name;
  std::vector<ContainerPort> ports;
  friend bool operator==(const Container&, const Container&) = default;
};

struct Pod {
  ObjectMeta meta;
  std::string node_name;
  bool host_network = false;
  std::string phase;
  std::vector<IpAddress> pod_ips;  // status.podIPs, else status.podIP
  std::vector<Container> containers;
  friend bool operator==(const Pod&, const Pod&) = default;
};

struct Namespace {
  ObjectMeta meta;
  friend bool operator==(const Namespace&, const Namespace&) = default;
};

// The policy program builds its own model from `spec`; this keeps it as sent.
struct NetworkPolicy {
  ObjectMeta meta;
  boost::json::object spec;
  friend bool operator==(const NetworkPolicy&, const NetworkPolicy&) = default;
};

Decoded<ObjectMeta> decode_meta(const boost::json::value& object, std::string_view kind);
Decoded<Node> decode_node(const boost::json::value& object);
Decoded<Service> decode_service(const boost::json::value& object);
Decoded<EndpointSlice> decode_endpoint_slice(const boost::json::value& object);
Decoded<Secret> decode_secret(const boost::json::value& object);
Decoded<Pod> decode_pod(const boost::json::value& object);
Decoded<Namespace> decode_namespace(const boost::json::value& object);
Decoded<NetworkPolicy> decode_network_policy(const boost::json::value& object);

// RFC 4648 §4 base64 (Secret data); nullopt on bad characters or padding.
std::optional<std::string> decode_base64(std::string_view text);

}  // namespace petrel::k8s
