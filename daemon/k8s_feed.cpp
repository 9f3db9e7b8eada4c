// daemon/k8s_feed.cpp — see k8s_feed.hpp.
#include "daemon/k8s_feed.hpp"

#include <set>

#include <spdlog/spdlog.h>

#include "k8s/cluster_access.hpp"

namespace petrel::daemon {

Result<std::shared_ptr<k8s::ApiClient>, std::string> make_api_client(boost::asio::any_io_executor ex,
                                                                      const k8s::KubernetesConfig& config,
                                                                      const Clock& clock) {
  using R = Result<std::shared_ptr<k8s::ApiClient>, std::string>;
  auto access = config.kubeconfig.empty() ? k8s::load_in_cluster() : k8s::load_kubeconfig(config.kubeconfig);
  if (!access) return R(boost::system::in_place_error, "kubernetes: " + access.error().to_string());
  auto client = k8s::ApiClient::create(std::move(ex), std::move(*access), clock);
  if (!client) return R(boost::system::in_place_error, "kubernetes: " + client.error().message);
  return *client;
}

template <class T>
k8s::InformerHandlers<T> K8sFeed::handlers(std::string what) {
  k8s::InformerHandlers<T> h;
  h.on_add = [this](const T&) { changed(); };
  h.on_update = [this](const T&, const T&) { changed(); };
  h.on_delete = [this](const T&) { changed(); };
  h.on_synced = [this, what] {
    spdlog::info("kubernetes: {} listed", what);
    changed();
  };
  // Errors never change the caches: kept for `show k8s` (the list/watch loop
  // logs them as warnings already), nothing withdrawn.
  h.on_error = [what](const std::string& e) { spdlog::debug("kubernetes: {}: {}", what, e); };
  return h;
}

K8sFeed::K8sFeed(std::shared_ptr<k8s::ApiClient> client, k8s::KubernetesConfig config, std::function<void()> on_change,
                 K8sFeedOptions options)
    : client_(client),
      config_(std::move(config)),
      on_change_(std::move(on_change)),
      options_(options),
      coalesce_(client->executor()),
      nodes_(client, k8s::nodes_path, k8s::decode_node, handlers<k8s::Node>("nodes"), options.list_watch),
      services_(client, k8s::services_path, k8s::decode_service, handlers<k8s::Service>("services"), options.list_watch),
      slices_(client, k8s::endpoint_slices_path, k8s::decode_endpoint_slice,
              handlers<k8s::EndpointSlice>("endpointslices"), options.list_watch) {}

K8sFeed::~K8sFeed() {
  coalesce_.cancel();
  for (auto& [_, s] : secrets_) s->stop();
  slices_.stop();
  services_.stop();
  nodes_.stop();
}

void K8sFeed::start() {
  if (started_) return;
  started_ = true;
  spdlog::info("kubernetes: watching {} as node {}", server(), config_.node_name);
  nodes_.start();
  services_.start();
  slices_.start();
}

std::string K8sFeed::server() const { return client_->endpoint() + " (" + client_->access().source + ")"; }

void K8sFeed::changed() {
  if (pending_) return;
  pending_ = true;
  coalesce_.expires_after(options_.coalesce);
  coalesce_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled: the feed is going away
    pending_ = false;
    if (on_change_) on_change_();
  });
}

std::optional<k8s::Derived> K8sFeed::derive(uint32_t default_as) const {
  if (!nodes_.synced()) return std::nullopt;
  return k8s::derive(config_.node_name, default_as, config_,
                     k8s::ClusterState{&nodes_.cache(), &services_.cache(), &slices_.cache()});
}

void K8sFeed::watch_secrets(const k8s::Derived& derived) {
  std::set<std::pair<std::string, std::string>> wanted;
  for (const auto& p : derived.peers)
    if (p.password) wanted.emplace(p.password->namespace_, p.password->name);
  for (auto it = secrets_.begin(); it != secrets_.end();) {
    if (wanted.contains(it->first)) {
      ++it;
      continue;
    }
    spdlog::info("kubernetes: no peer names Secret {}/{} any more: not watched", it->first.first, it->first.second);
    it->second->stop();
    it = secrets_.erase(it);
  }
  for (const auto& key : wanted) {
    if (secrets_.contains(key)) continue;
    const std::string what = "secret " + key.first + "/" + key.second;
    auto informer = std::make_unique<k8s::Informer<k8s::Secret>>(
        client_, k8s::named_secret_path(key.first, key.second), k8s::decode_secret, handlers<k8s::Secret>(what),
        options_.list_watch);
    if (started_) informer->start();
    secrets_.emplace(key, std::move(informer));
  }
}

std::optional<std::string> K8sFeed::secret(const k8s::SecretKeyRef& ref) const {
  auto it = secrets_.find({ref.namespace_, ref.name});
  if (it == secrets_.end()) return std::nullopt;
  const k8s::Secret* s = it->second->find(ref.namespace_ + "/" + ref.name);
  if (!s) return std::nullopt;
  auto value = s->data.find(ref.key);
  if (value == s->data.end()) return std::nullopt;
  return value->second;
}

namespace {

template <class T>
InformerStatus status_of(std::string resource, const k8s::Informer<T>& i) {
  InformerStatus s;
  s.resource = std::move(resource);
  s.synced = i.synced();
  s.resource_version = i.resource_version();
  s.objects = i.cache().size();
  s.lists = i.stats().lists;
  s.errors = i.errors();
  s.last_error = i.last_error();
  return s;
}

}  // namespace

std::vector<InformerStatus> K8sFeed::status() const {
  std::vector<InformerStatus> out;
  out.push_back(status_of("nodes", nodes_));
  out.push_back(status_of("services", services_));
  out.push_back(status_of("endpointslices", slices_));
  for (const auto& [key, informer] : secrets_) out.push_back(status_of("secret " + key.first + "/" + key.second, *informer));
  return out;
}

}  // namespace petrel::daemon
