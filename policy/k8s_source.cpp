#include "policy/k8s_source.hpp"

#include "k8s/api_client.hpp"
#include "k8s/informer.hpp"
#include "policy/k8s_convert.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

namespace petrel::policy {

namespace asio = boost::asio;

// What the watch thread has converted, shared with poll() under `mutex`.
struct K8sSource::Impl {
  K8sSourceOptions options;
  SteadyClock clock;
  asio::io_context ioc;
  asio::executor_work_guard<asio::io_context::executor_type> work{ioc.get_executor()};
  std::shared_ptr<k8s::ApiClient> client;
  // Informers live on the watch thread; destroyed after it has stopped.
  std::unique_ptr<k8s::Informer<k8s::Pod>> pod_informer;
  std::unique_ptr<k8s::Informer<k8s::Namespace>> namespace_informer;
  std::unique_ptr<k8s::Informer<k8s::NetworkPolicy>> policy_informer;
  std::thread thread;

  mutable std::mutex mutex;
  mutable std::condition_variable changed_cv;  // a sync or a change: for the waits
  std::map<std::string, Pod> pods;
  std::map<std::string, Namespace> namespaces;
  std::map<std::string, NetworkPolicy> policies;
  bool pods_synced = false;
  bool namespaces_synced = false;
  bool policies_synced = false;
  uint64_t version = 0;    // bumped on every change of the three maps
  uint64_t delivered = 0;  // the version of the last snapshot poll() returned
  int errors = 0;
  std::string last_error;

  bool all_synced() const { return pods_synced && namespaces_synced && policies_synced; }
  bool ready_to_deliver() const { return all_synced() && version != delivered; }

  void report(const std::string& message, bool api_error) {
    {
      std::lock_guard lock(mutex);
      ++errors;
      last_error = message;
    }
    if (options.on_error) options.on_error(message, api_error);
  }
  // An informer's errors: the list/watch loop's (logged by k8s/ too), and objects
  // that did not decode.
  template <class T>
  void report_errors(k8s::InformerHandlers<T>& h) {
    h.on_error = [this](const std::string& e) { report(e, /*api_error=*/true); };
    h.on_decode_error = [this](const k8s::DecodeError& e) { report(e.to_string(), /*api_error=*/false); };
  }

  // Sets or erases map[key]; bumps the version only when something changed.
  template <class T>
  void store(std::map<std::string, T>& map, const std::string& key, std::optional<T> value) {
    {
      std::lock_guard lock(mutex);
      auto it = map.find(key);
      if (!value) {
        if (it == map.end()) return;
        map.erase(it);
      } else if (it == map.end()) {
        map.emplace(key, std::move(*value));
      } else {
        if (it->second == *value) return;
        it->second = std::move(*value);
      }
      ++version;
    }
    changed_cv.notify_all();
  }

  void mark_synced(bool& flag) {
    {
      std::lock_guard lock(mutex);
      flag = true;
      ++version;
    }
    changed_cv.notify_all();
  }

  void on_pod(const k8s::Pod& object) { store(pods, object.meta.key(), convert_pod(object, options.node_name)); }
  void on_namespace(const k8s::Namespace& object) {
    store(namespaces, object.meta.key(), std::optional<Namespace>(convert_namespace(object)));
  }
  void on_policy(const k8s::NetworkPolicy& object) {
    auto np = convert_policy(object);
    if (!np) {
      // Left out: the others stay in force (a policy the API server accepted but
      // this program cannot read is an error to fix, logged and counted).
      report(np.error().to_string() + " (policy ignored)", /*api_error=*/false);
      store(policies, object.meta.key(), std::optional<NetworkPolicy>());
      return;
    }
    store(policies, object.meta.key(), std::optional<NetworkPolicy>(std::move(*np)));
  }

  void create_informers() {
    k8s::InformerHandlers<k8s::Pod> ph;
    ph.on_add = [this](const k8s::Pod& p) { on_pod(p); };
    ph.on_update = [this](const k8s::Pod&, const k8s::Pod& p) { on_pod(p); };
    ph.on_delete = [this](const k8s::Pod& p) { store(pods, p.meta.key(), std::optional<Pod>()); };
    ph.on_synced = [this] { mark_synced(pods_synced); };
    report_errors(ph);
    pod_informer = std::make_unique<k8s::Informer<k8s::Pod>>(client, k8s::pods_path, k8s::decode_pod, ph,
                                                             options.list_watch);
    k8s::InformerHandlers<k8s::Namespace> nh;
    nh.on_add = [this](const k8s::Namespace& n) { on_namespace(n); };
    nh.on_update = [this](const k8s::Namespace&, const k8s::Namespace& n) { on_namespace(n); };
    nh.on_delete = [this](const k8s::Namespace& n) { store(namespaces, n.meta.key(), std::optional<Namespace>()); };
    nh.on_synced = [this] { mark_synced(namespaces_synced); };
    report_errors(nh);
    namespace_informer = std::make_unique<k8s::Informer<k8s::Namespace>>(client, k8s::namespaces_path,
                                                                         k8s::decode_namespace, nh, options.list_watch);
    k8s::InformerHandlers<k8s::NetworkPolicy> h;
    h.on_add = [this](const k8s::NetworkPolicy& p) { on_policy(p); };
    h.on_update = [this](const k8s::NetworkPolicy&, const k8s::NetworkPolicy& p) { on_policy(p); };
    h.on_delete = [this](const k8s::NetworkPolicy& p) { store(policies, p.meta.key(), std::optional<NetworkPolicy>()); };
    h.on_synced = [this] { mark_synced(policies_synced); };
    report_errors(h);
    policy_informer = std::make_unique<k8s::Informer<k8s::NetworkPolicy>>(
        client, k8s::network_policies_path, k8s::decode_network_policy, h, options.list_watch);
  }
};

K8sSource::K8sSource(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<K8sSource>, Error> K8sSource::start(k8s::ClusterAccess access, K8sSourceOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  auto client = k8s::ApiClient::create(impl->ioc.get_executor(), std::move(access), impl->clock);
  if (!client) return Error{"kubernetes: " + client.error().message};
  impl->client = *client;
  impl->create_informers();
  // The watch thread has not started yet: starting the informers here only queues
  // their first list on the io_context.
  impl->pod_informer->start();
  impl->namespace_informer->start();
  impl->policy_informer->start();
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->ioc.run(); });
  return std::unique_ptr<K8sSource>(new K8sSource(std::move(impl)));
}

K8sSource::~K8sSource() {
  Impl* impl = impl_.get();
  asio::post(impl->ioc, [impl] {
    impl->pod_informer->stop();
    impl->namespace_informer->stop();
    impl->policy_informer->stop();
    impl->ioc.stop();
  });
  impl->thread.join();
  // The watch thread is gone: the informers can go now, before the client and the
  // io_context they ran on (Impl declares them later, so this is also the order its
  // destructor would take; done here to make it plain).
  impl->policy_informer.reset();
  impl->namespace_informer.reset();
  impl->pod_informer.reset();
}

Result<std::optional<Snapshot>, Error> K8sSource::poll() {
  std::lock_guard lock(impl_->mutex);
  if (!impl_->ready_to_deliver()) return std::optional<Snapshot>();
  Snapshot snap;
  snap.policies.reserve(impl_->policies.size());
  for (const auto& [_, p] : impl_->policies) snap.policies.push_back(p);
  snap.pods.reserve(impl_->pods.size());
  for (const auto& [_, p] : impl_->pods) snap.pods.push_back(p);
  snap.namespaces.reserve(impl_->namespaces.size());
  for (const auto& [_, n] : impl_->namespaces) snap.namespaces.push_back(n);
  impl_->delivered = impl_->version;
  return std::optional<Snapshot>(std::move(snap));
}

bool K8sSource::synced() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->all_synced();
}

bool K8sSource::wait_synced(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mutex);
  return impl_->changed_cv.wait_for(lock, timeout, [&] { return impl_->all_synced(); });
}

bool K8sSource::wait_for_change(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mutex);
  return impl_->changed_cv.wait_for(lock, timeout, [&] { return impl_->ready_to_deliver(); });
}

std::string K8sSource::sync_status() const {
  std::lock_guard lock(impl_->mutex);
  std::string missing;
  auto add = [&](bool synced, const char* what) {
    if (!synced) missing += (missing.empty() ? "" : ", ") + std::string(what);
  };
  add(impl_->pods_synced, "pods");
  add(impl_->namespaces_synced, "namespaces");
  add(impl_->policies_synced, "networkpolicies");
  std::string out = missing.empty() ? "synced" : missing + ": not listed yet";
  if (!impl_->last_error.empty()) out += "; last error: " + impl_->last_error;
  return out;
}

int K8sSource::errors() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->errors;
}

}  // namespace petrel::policy
