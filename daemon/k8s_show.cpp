// daemon/k8s_show.cpp — see k8s_show.hpp.
#include "daemon/k8s_show.hpp"

#include <cstdio>

#include <boost/json.hpp>

#include "daemon/bird_format.hpp"

namespace petrel::daemon {

namespace {

boost::json::value derived_json(const k8s::Derived& d) {
  boost::json::array announcements;
  for (const auto& a : d.announcements) {
    boost::json::array origins;
    for (const auto& o : a.origins) origins.emplace_back(o);
    announcements.push_back(boost::json::object{
        {"prefix", a.prefix.to_string()}, {"blackhole", a.blackhole}, {"origins", std::move(origins)}});
  }
  boost::json::array peers;
  for (const auto& p : d.peers) {
    boost::json::object o{{"name", p.name},
                          {"address", p.address.to_string()},
                          {"remote_as", p.remote_as},
                          {"role", std::string(k8s::to_string(p.role))},
                          {"origin", p.origin}};
    if (p.password) o["password_secret"] = p.password->to_string();
    peers.push_back(std::move(o));
  }
  boost::json::array notes;
  for (const auto& n : d.notes) notes.emplace_back(n);
  boost::json::object out{{"node_known", d.node_known},
                          {"local_as", d.local_as},
                          {"route_reflector", d.route_reflector},
                          {"announcements", std::move(announcements)},
                          {"peers", std::move(peers)},
                          {"notes", std::move(notes)}};
  if (d.cluster_id) out["cluster_id"] = *d.cluster_id;
  return out;
}

}  // namespace

Reply show_k8s(const K8sView& v, bool json) {
  if (json) {
    boost::json::array informers;
    for (const auto& i : v.informers)
      informers.push_back(boost::json::object{{"resource", i.resource},
                                              {"synced", i.synced},
                                              {"resource_version", i.resource_version},
                                              {"objects", i.objects},
                                              {"lists", i.lists},
                                              {"errors", i.errors},
                                              {"last_error", i.last_error}});
    boost::json::array notes;
    for (const auto& n : v.effective_notes) notes.emplace_back(n);
    boost::json::object doc{{"enabled", v.enabled},
                            {"node_name", v.node_name},
                            {"server", v.server},
                            {"derived_kept_from_previous_section", v.held},
                            {"synced_once", v.synced_once},
                            {"informers", std::move(informers)},
                            {"configuration_notes", std::move(notes)}};
    doc["derived"] = v.derived ? derived_json(*v.derived) : boost::json::value(nullptr);
    return json_reply(doc);
  }
  Reply r;
  const int code = reply_code::k8s_view;
  if (!v.enabled) return r.line(code, "Kubernetes: disabled (kubernetes.enabled is false)"), r;
  r.line(code, "Kubernetes: node " + v.node_name + ", API server " + (v.server.empty() ? "-" : v.server));
  r.line(code, std::string("synced once: ") + (v.synced_once ? "yes" : "no"));
  char line[256];
  std::snprintf(line, sizeof line, "  %-36s %-6s %-12s %7s %5s %6s  %s", "informer", "synced", "version", "objects",
                "lists", "errors", "last error");
  r.line(code, line);
  for (const auto& i : v.informers) {
    std::snprintf(line, sizeof line, "  %-36s %-6s %-12s %7zu %5d %6d  ", i.resource.c_str(), i.synced ? "yes" : "no",
                  i.resource_version.empty() ? "-" : i.resource_version.c_str(), i.objects, i.lists, i.errors);
    r.line(code, std::string(line) + (i.last_error.empty() ? "-" : i.last_error));
  }
  if (!v.derived) {
    r.line(code, "nothing derived yet: the nodes were not listed (nothing from Kubernetes is announced)");
  } else {
    if (v.held)
      r.line(code, "kept from before the kubernetes section changed, until the nodes are listed again:");
    for (const auto& l : k8s::explain(*v.derived)) r.line(code, l);
  }
  if (!v.effective_notes.empty()) {
    r.line(code, "configuration:");
    for (const auto& n : v.effective_notes) r.line(code, "  " + n);
  }
  return r;
}

}  // namespace petrel::daemon
