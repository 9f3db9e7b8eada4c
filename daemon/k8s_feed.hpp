// daemon/k8s_feed.hpp — petreld's Kubernetes edge: informers on nodes, services,
// endpointslices and the Secrets that derived peers name, and a coalesced
// "something changed" signal for the daemon.
//
// Edges:  API server -> Informer caches -> (any handler) -> coalescing timer
//         (~100 ms) -> on_change()  -> the daemon runs derive() and applies the
//         effective configuration (daemon/effective_config.hpp).
// The feed never withdraws anything by itself: caches are kept through errors,
// disconnects and 410 Gone (the informers relist and diff), so derive() of the
// caches is stable while the API server is away. derive() gives nothing before
// the nodes were listed once, so a starting petreld announces nothing derived
// until it knows its node.
// Secret informers: one per Secret a derived peer names, each on
// named_secret_path() (what RBAC resourceNames allows); watch_secrets() starts
// and stops them as that set changes.
// Single-threaded on the daemon's io_context. Errors are logged and kept per
// informer for `show k8s`; nothing here throws.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "daemon/k8s_show.hpp"
#include "k8s/api_client.hpp"
#include "k8s/config.hpp"
#include "k8s/derive.hpp"
#include "k8s/informer.hpp"

namespace petrel::daemon {

struct K8sFeedOptions {
  std::chrono::milliseconds coalesce{100};
  k8s::ListWatchOptions list_watch;
};

// Where the API server is (kubeconfig when set, else in-cluster) and a client
// for it on `ex`; the error names the file or variable that is wrong.
Result<std::shared_ptr<k8s::ApiClient>, std::string> make_api_client(boost::asio::any_io_executor ex,
                                                                      const k8s::KubernetesConfig& config,
                                                                      const Clock& clock);

class K8sFeed {
 public:
  K8sFeed(std::shared_ptr<k8s::ApiClient> client, k8s::KubernetesConfig config, std::function<void()> on_change,
          K8sFeedOptions options = {});
  ~K8sFeed();
  K8sFeed(const K8sFeed&) = delete;
  K8sFeed& operator=(const K8sFeed&) = delete;

  void start();
  const k8s::KubernetesConfig& config() const { return config_; }
  std::string server() const;  // "host:port (source)"

  bool nodes_synced() const { return nodes_.synced(); }
  // Nodes, services and endpointslices were each listed once (stays true).
  bool synced() const { return nodes_.synced() && services_.synced() && slices_.synced(); }

  // The mapping of the caches; nullopt until the nodes were listed once.
  std::optional<k8s::Derived> derive(uint32_t default_as) const;
  // Runs one Secret informer per Secret the derived peers name; stops the others.
  void watch_secrets(const k8s::Derived& derived);
  // A Secret key's value from the Secret informers; nullopt while unknown.
  std::optional<std::string> secret(const k8s::SecretKeyRef& ref) const;

  std::vector<InformerStatus> status() const;

 private:
  void changed();  // a handler ran: schedule one on_change_ soon

  template <class T>
  k8s::InformerHandlers<T> handlers(std::string what);

  std::shared_ptr<k8s::ApiClient> client_;
  k8s::KubernetesConfig config_;
  std::function<void()> on_change_;
  K8sFeedOptions options_;
  boost::asio::steady_timer coalesce_;
  bool pending_ = false;
  k8s::Informer<k8s::Node> nodes_;
  k8s::Informer<k8s::Service> services_;
  k8s::Informer<k8s::EndpointSlice> slices_;
  std::map<std::pair<std::string, std::string>, std::unique_ptr<k8s::Informer<k8s::Secret>>> secrets_;  // (ns, name)
  bool started_ = false;
};

}  // namespace petrel::daemon
