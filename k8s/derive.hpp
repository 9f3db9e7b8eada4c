// k8s/derive.hpp — cluster state → what this node announces and whom it peers with.
//
// A pure function of (this node's name, the node's default AS, the `kubernetes:`
// configuration, the informer caches): no I/O, no clock, no BGP wire format.
// petreld runs it after every cache change and diffs the result against what it
// announces now; `petrelc show k8s` prints explain() of the same result.
//
// Announcements (Calico's "advertising Kubernetes service IPs" is the model):
//  - this node's spec.podCIDRs (IPv4 and IPv6), originated with a blackhole route
//    so that traffic to unused pod addresses stops here (advertise.pod-cidrs);
//  - each configured cluster-ips range as an aggregate;
//  - for a Service with externalTrafficPolicy Local, its cluster IPs inside those
//    ranges as host routes;
//  - Service spec.externalIPs and status.loadBalancer.ingress[].ip as host routes
//    (/32, /128), only inside the configured external-ips / load-balancer-ips ranges;
//  - externalTrafficPolicy Local: a service IP is announced only while this node
//    hosts a ready endpoint of the service (EndpointSlice endpoints[].conditions.ready
//    and nodeName; Kubernetes "Service" reference, traffic policies);
//  - a node labelled node.kubernetes.io/exclude-from-external-load-balancers
//    (Kubernetes well-known labels) announces no service IPs at all.
// Peers:
//  - no node labelled as route reflector (label value "true"): a full mesh between
//    all nodes by InternalIP when node-mesh is on (iBGP; RFC 4271 §9.2 full mesh);
//  - some reflectors (RFC 4456): reflectors peer with each other (as non-clients)
//    and serve every other node as route-reflector clients; other nodes peer only
//    with the reflectors. This applies whatever node-mesh says: labelling a
//    reflector is the explicit choice. A reflector's cluster id comes from the
//    cluster-id annotation.
//  - each node's AS comes from the as-number annotation, else the default AS;
//  - external peers: from the configuration (all nodes, or the nodes matching a
//    node-selector) and from this node's peers annotation, a JSON list of
//    {"name", "address", "remote-as", "password-secret": {"name", "key"}}.
//  - a password is a Secret reference; the caller reads it through its Secret informer.
// A node is peered at its first InternalIP of each family this node has an
// InternalIP of: dual-stack nodes get an IPv4 and an IPv6 session ("node-NAME" in
// this node's first family, "node-NAME-v6" or "-v4" in the other), as Calico's
// mesh does. Problems in annotations become notes, never failures.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ip.hpp"
#include "k8s/config.hpp"
#include "k8s/models.hpp"

namespace petrel::k8s {

inline constexpr std::string_view exclude_from_lb_label = "node.kubernetes.io/exclude-from-external-load-balancers";

// Views of the informer caches (keyed by namespace/name); none may be null.
struct ClusterState {
  const std::map<std::string, Node>* nodes = nullptr;
  const std::map<std::string, Service>* services = nullptr;
  const std::map<std::string, EndpointSlice>* endpoint_slices = nullptr;
};

struct Announcement {
  Prefix prefix;
  bool blackhole = false;            // also install a local blackhole route
  std::vector<std::string> origins;  // "node node-a spec.podCIDRs", "service default/web externalIP"
  friend bool operator==(const Announcement&, const Announcement&) = default;
};

enum class PeerRole {
  mesh,              // full-mesh node peer
  reflector,         // the peer is a route reflector (we are its client, or a fellow reflector)
  reflector_client,  // we are a reflector and the peer is our client
  external,          // a configured or annotated external peer (ToR, ...)
};
std::string_view to_string(PeerRole role);

struct DesiredPeer {
  std::string name;  // "node-node-b" (or "node-node-b-v6") for nodes, the configured name for external peers
  IpAddress address;
  uint32_t remote_as = 0;
  PeerRole role = PeerRole::mesh;
  std::optional<SecretKeyRef> password;
  std::string origin;  // "node node-b (full mesh)", "config kubernetes.peers[0]", ...
  friend bool operator==(const DesiredPeer&, const DesiredPeer&) = default;
};

struct Derived {
  bool node_known = false;            // this node exists in the cache
  uint32_t local_as = 0;              // from this node's annotation, else the default
  bool route_reflector = false;       // this node is labelled as a reflector
  std::optional<std::string> cluster_id;
  std::vector<Announcement> announcements;  // sorted by prefix, one per prefix
  std::vector<DesiredPeer> peers;           // sorted by name, one per name
  std::vector<std::string> notes;           // why something was not announced or peered
};

Derived derive(std::string_view node_name, uint32_t default_as, const KubernetesConfig& config,
               const ClusterState& state);

// Lines for `show k8s`: every announcement and peer with the objects behind it,
// then the notes.
std::vector<std::string> explain(const Derived& derived);

}  // namespace petrel::k8s
