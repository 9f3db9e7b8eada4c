// daemon/k8s_show.hpp — `show k8s`: what petreld knows of the cluster and what it
// made of it, as text lines (reply code 1101, Petrel's) or one JSON document.
//
// Pure: the daemon fills a K8sView from its feed (daemon/k8s_feed.hpp) and the
// effective configuration (daemon/effective_config.hpp); this lays it out:
// the node name and API server, one line per informer (synced, resource
// version, objects, lists, errors, last error), then k8s::explain() of the
// derived state (announcements and peers with the objects behind them, notes),
// then the notes of the effective configuration (file wins, Secret missing).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "daemon/control_reply.hpp"
#include "k8s/derive.hpp"

namespace petrel::daemon {

namespace reply_code {
inline constexpr int k8s_view = 1101;  // Petrel: a line of `show k8s`
}  // namespace reply_code

// One informer as `show k8s` prints it.
struct InformerStatus {
  std::string resource;  // "nodes", "secret petrel/bgp-passwords"
  bool synced = false;
  std::string resource_version;
  std::size_t objects = 0;
  int lists = 0;
  int errors = 0;
  std::string last_error;
};

struct K8sView {
  bool enabled = false;
  std::string node_name;
  std::string server;           // "host:port (source)"; empty when no client
  bool synced_once = false;     // the informers were all listed once (readiness)
  std::vector<InformerStatus> informers;
  std::optional<k8s::Derived> derived;  // nullopt until the nodes were listed
  bool held = false;  // `derived` is the previous feed's (the section changed), kept until the nodes are listed
  std::vector<std::string> effective_notes;
};

Reply show_k8s(const K8sView& view, bool json);

}  // namespace petrel::daemon
