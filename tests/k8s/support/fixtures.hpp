// tests/k8s/support/fixtures.hpp — the JSON fixtures under tests/k8s/fixtures/,
// shaped like `kubectl get KIND NAME -o json`, and variations of them for tests.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

namespace petrel::k8s::test {

// The parsed fixture file `name` (e.g. "node-a.json"); aborts if missing or bad.
boost::json::value fixture(const std::string& name);
std::string fixture_path(const std::string& name);

// node-a.json renamed, with its own addresses and pod CIDRs, extra labels/annotations.
boost::json::value node_json(const std::string& name, const std::string& ipv4, const std::string& cidr4,
                             const std::string& cidr6 = "", const std::map<std::string, std::string>& labels = {},
                             const std::map<std::string, std::string>& annotations = {});

// service-lb.json with another name, policy ("Local"/"Cluster") and addresses.
boost::json::value service_json(const std::string& ns, const std::string& name, const std::string& policy,
                                const std::string& cluster_ip, const std::vector<std::string>& external_ips,
                                const std::vector<std::string>& lb_ips);

// endpointslice-web.json for service ns/service with one ready (or not) endpoint per node.
boost::json::value slice_json(const std::string& ns, const std::string& service, const std::string& name,
                              const std::vector<std::pair<std::string, bool>>& node_ready);

// RFC 4648 base64, for kubeconfig -data fields and Secret data.
std::string base64_encode(std::string_view bytes);

}  // namespace petrel::k8s::test
