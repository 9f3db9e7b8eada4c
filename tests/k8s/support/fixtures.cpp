// tests/k8s/support/fixtures.cpp — loading and varying the JSON fixtures.
#include "tests/k8s/support/fixtures.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <boost/json.hpp>

namespace petrel::k8s::test {

namespace json = boost::json;

std::string base64_encode(std::string_view in) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += {t[n >> 18], t[(n >> 12) & 63], t[(n >> 6) & 63], t[n & 63]};
  }
  if (in.size() - i == 1) {
    const uint32_t n = uint8_t(in[i]) << 16;
    out += {t[n >> 18], t[(n >> 12) & 63], '=', '='};
  } else if (in.size() - i == 2) {
    const uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += {t[n >> 18], t[(n >> 12) & 63], t[(n >> 6) & 63], '='};
  }
  return out;
}

std::string fixture_path(const std::string& name) { return std::string(PETREL_K8S_FIXTURES) + "/" + name; }

json::value fixture(const std::string& name) {
  std::ifstream in(fixture_path(name));
  std::stringstream s;
  s << in.rdbuf();
  boost::system::error_code ec;
  json::value v = json::parse(s.str(), ec);
  if (!in || ec) {
    std::fprintf(stderr, "fixture %s: cannot load (%s)\n", name.c_str(), ec.message().c_str());
    std::abort();
  }
  return v;
}

json::value node_json(const std::string& name, const std::string& ipv4, const std::string& cidr4,
                      const std::string& cidr6, const std::map<std::string, std::string>& labels,
                      const std::map<std::string, std::string>& annotations) {
  json::value v = fixture("node-a.json");
  auto& meta = v.at("metadata").as_object();
  meta["name"] = name;
  meta["uid"] = "uid-" + name;
  meta["labels"].as_object()["kubernetes.io/hostname"] = name;
  for (const auto& [k, val] : labels) meta["labels"].as_object()[k] = val;
  for (const auto& [k, val] : annotations) meta["annotations"].as_object()[k] = val;
  auto& spec = v.at("spec").as_object();
  spec["podCIDR"] = cidr4;
  json::array cidrs{json::value(cidr4)};
  if (!cidr6.empty()) cidrs.emplace_back(cidr6);
  spec["podCIDRs"] = cidrs;
  json::array addresses;
  addresses.push_back(json::object{{"address", ipv4}, {"type", "InternalIP"}});
  addresses.push_back(json::object{{"address", name}, {"type", "Hostname"}});
  v.at("status").as_object()["addresses"] = addresses;
  return v;
}

json::value service_json(const std::string& ns, const std::string& name, const std::string& policy,
                         const std::string& cluster_ip, const std::vector<std::string>& external_ips,
                         const std::vector<std::string>& lb_ips) {
  json::value v = fixture("service-lb.json");
  auto& meta = v.at("metadata").as_object();
  meta["name"] = name;
  meta["namespace"] = ns;
  meta.erase("annotations");
  auto& spec = v.at("spec").as_object();
  spec["clusterIP"] = cluster_ip;
  spec["clusterIPs"] = json::array{json::value(cluster_ip)};
  json::array ext;
  for (const auto& ip : external_ips) ext.emplace_back(ip);
  spec["externalIPs"] = ext;
  spec["externalTrafficPolicy"] = policy;
  json::array ingress;
  for (const auto& ip : lb_ips) ingress.push_back(json::object{{"ip", ip}, {"ipMode", "VIP"}});
  v.at("status").as_object()["loadBalancer"] = json::object{{"ingress", ingress}};
  return v;
}

json::value slice_json(const std::string& ns, const std::string& service, const std::string& name,
                       const std::vector<std::pair<std::string, bool>>& node_ready) {
  json::value v = fixture("endpointslice-web.json");
  auto& meta = v.at("metadata").as_object();
  meta["name"] = name;
  meta["namespace"] = ns;
  meta["labels"].as_object()["kubernetes.io/service-name"] = service;
  json::array endpoints;
  int n = 10;
  for (const auto& [node, ready] : node_ready) {
    endpoints.push_back(json::object{
        {"addresses", json::array{json::value("10.244.9." + std::to_string(n++))}},
        {"conditions", json::object{{"ready", ready}, {"serving", ready}, {"terminating", false}}},
        {"nodeName", node}});
  }
  v.as_object()["endpoints"] = endpoints;
  return v;
}

}  // namespace petrel::k8s::test
