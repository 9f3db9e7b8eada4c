// tests/tools/fake_apiserver/kinds.hpp — which collection an object of each kind
// lives in, for the standalone fake API server.
//
// Pure: a table of the kinds Petrel watches (Node, Namespace, Service, Pod,
// EndpointSlice, NetworkPolicy, Secret) with their apiVersion, list kind and
// resource path, lookups by kind or by the names kubectl accepts ("nodes",
// "svc", "endpointslice", "netpol"), and the placement of a JSON object (as
// `kubectl get -o json` prints it) into its collection, and the discovery documents
// that let kubectl use the server. Bad objects give an error
// message naming the field, never an exception.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace petrel::k8s::fake {

struct KindInfo {
  std::string_view kind;         // "EndpointSlice"
  std::string_view api_version;  // "discovery.k8s.io/v1"
  std::string_view resource;     // "endpointslices"
  bool namespaced = false;
  // Served per namespace only (/api/v1/namespaces/NS/secrets), as petreld watches
  // the Secrets it is allowed to read; the others are served cluster-wide.
  bool per_namespace_path = false;
  std::string_view short_name;   // kubectl's ("no", "svc"); may be empty
  std::string list_kind() const { return std::string(kind) + "List"; }
  // The collection path; `ns` is used only by per-namespace kinds.
  std::string path(std::string_view ns = {}) const;
};

const std::vector<KindInfo>& kinds();

// Whether `path` is a collection of `kind`: its one path, or for a per-namespace kind
// any "/api/v1/namespaces/NS/secrets" with a non-empty NS.
bool is_collection_of(const KindInfo& kind, std::string_view path);

// "Node", "node", "nodes", "no", "svc", "endpointslices", "netpol", ... (case-insensitive).
const KindInfo* find_kind(std::string_view name);

// The discovery documents kubectl reads before it lists anything: /version, /api,
// /apis, /api/v1 and one APIResourceList per group version ("verbs" are the ones
// served: get, list, watch). `server_address` is "host:port".
std::vector<std::pair<std::string, boost::json::value>> discovery_documents(const std::string& server_address);

// Where an object goes: its kind, its collection path and its key ("ns/name" or "name").
struct Placement {
  const KindInfo* kind = nullptr;
  std::string path;
  std::string key;
};

// Checks kind, apiVersion, metadata.name and (for namespaced kinds) metadata.namespace;
// sets `error` ("Node: metadata.name: a string is required") and returns nothing on a bad object.
std::optional<Placement> place(const boost::json::object& object, std::string& error);

// The items of a `kind: List` (or `NodeList`, ...) document, or the object itself.
std::vector<boost::json::object> objects_of(const boost::json::object& document, std::string& error);

}  // namespace petrel::k8s::fake
