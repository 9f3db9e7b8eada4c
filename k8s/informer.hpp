// k8s/informer.hpp — a cache of one kind of object kept in step with the API server.
//
// Informer<T> runs a ListWatch for one resource path ("/api/v1/nodes") and keeps
// the decoded objects keyed by "namespace/name" (client-go's SharedInformer
// without the sharing). Handlers see every change with the object before and after:
//  - a list (the first, or a relist after 410 Gone) is diffed against the cache:
//    objects that vanished meanwhile get on_delete, new ones on_add, changed ones
//    on_update, unchanged ones nothing; the cache is replaced only by this diff;
//  - watch events apply one by one.
// An object that fails to decode is reported (on_error, last_error()) and the cache
// keeps its previous version of it; a DELETED event still removes it when its
// metadata is readable. synced() turns true after the first complete list and
// stays true. Handlers run after the cache is updated, so they may read cache().
// Single-threaded on the client's executor. The destructor stops the loop.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "k8s/list_watch.hpp"
#include "k8s/models.hpp"

namespace petrel::k8s {

template <class T>
struct InformerHandlers {
  std::function<void(const T&)> on_add;
  std::function<void(const T& before, const T& after)> on_update;
  std::function<void(const T&)> on_delete;
  std::function<void()> on_synced;
  // Errors of the list/watch loop, and objects that did not decode when
  // on_decode_error is not set.
  std::function<void(const std::string&)> on_error;
  // An object that did not decode (the cache keeps its previous version).
  std::function<void(const DecodeError&)> on_decode_error;
};

template <class T>
class Informer final : public ListWatchSink {
 public:
  using Decoder = Decoded<T> (*)(const boost::json::value&);

  Informer(std::shared_ptr<ApiClient> client, std::string path, Decoder decode, InformerHandlers<T> handlers = {},
           ListWatchOptions options = {})
      : decode_(decode), handlers_(std::move(handlers)) {
    lw_ = std::make_shared<ListWatch>(std::move(client), std::move(path), *this, options);
  }
  ~Informer() override { lw_->stop(); }
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  void start() { lw_->start(); }
  void stop() { lw_->stop(); }

  bool synced() const { return synced_; }
  const std::map<std::string, T>& cache() const { return cache_; }
  const T* find(const std::string& key) const {
    auto it = cache_.find(key);
    return it == cache_.end() ? nullptr : &it->second;
  }
  const std::string& resource_version() const { return lw_->resource_version(); }
  const ListWatchStats& stats() const { return lw_->stats(); }
  const std::string& last_error() const { return last_error_; }
  int errors() const { return errors_; }

  void on_list(const std::vector<boost::json::value>& items) override {
    std::map<std::string, T> fresh;
    for (const auto& item : items) {
      auto obj = decode_(item);
      if (obj) {
        std::string key = obj->meta.key();
        fresh.insert_or_assign(std::move(key), std::move(*obj));
        continue;
      }
      decode_failed(obj.error());
      // Keep what we had for an object we cannot read now.
      if (auto meta = decode_meta(item, obj.error().kind)) {
        if (auto it = cache_.find(meta->key()); it != cache_.end()) fresh.insert_or_assign(it->first, it->second);
      }
    }
    std::map<std::string, T> before = std::exchange(cache_, std::move(fresh));
    for (const auto& [key, old] : before) {
      auto it = cache_.find(key);
      if (it == cache_.end()) {
        if (handlers_.on_delete) handlers_.on_delete(old);
      } else if (!(it->second == old)) {
        if (handlers_.on_update) handlers_.on_update(old, it->second);
      }
    }
    for (const auto& [key, now] : cache_) {
      if (!before.contains(key) && handlers_.on_add) handlers_.on_add(now);
    }
    if (!synced_) {
      synced_ = true;
      if (handlers_.on_synced) handlers_.on_synced();
    }
  }

  void on_event(WatchEventType type, const boost::json::value& object) override {
    auto obj = decode_(object);
    if (!obj) {
      decode_failed(obj.error());
      if (type == WatchEventType::deleted) {
        if (auto meta = decode_meta(object, obj.error().kind)) remove(meta->key());
      }
      return;
    }
    std::string key = obj->meta.key();
    if (type == WatchEventType::deleted) {
      remove(key);
      return;
    }
    auto it = cache_.find(key);
    if (it == cache_.end()) {
      auto [pos, _] = cache_.emplace(std::move(key), std::move(*obj));
      if (handlers_.on_add) handlers_.on_add(pos->second);
      return;
    }
    if (it->second == *obj) return;
    T old = std::exchange(it->second, std::move(*obj));
    if (handlers_.on_update) handlers_.on_update(old, it->second);
  }

  void on_error(const std::string& message) override {
    ++errors_;
    last_error_ = message;
    if (handlers_.on_error) handlers_.on_error(message);
  }

 private:
  void decode_failed(const DecodeError& e) {
    ++errors_;
    last_error_ = e.to_string();
    if (handlers_.on_decode_error) handlers_.on_decode_error(e);
    else if (handlers_.on_error) handlers_.on_error(last_error_);
  }

  void remove(const std::string& key) {
    auto it = cache_.find(key);
    if (it == cache_.end()) return;
    T old = std::move(it->second);
    cache_.erase(it);
    if (handlers_.on_delete) handlers_.on_delete(old);
  }

  Decoder decode_;
  InformerHandlers<T> handlers_;
  std::shared_ptr<ListWatch> lw_;
  std::map<std::string, T> cache_;
  bool synced_ = false;
  std::string last_error_;
  int errors_ = 0;
};

// Resource paths of the kinds Petrel watches (cluster-wide).
inline constexpr const char* nodes_path = "/api/v1/nodes";
inline constexpr const char* services_path = "/api/v1/services";
inline constexpr const char* endpoint_slices_path = "/apis/discovery.k8s.io/v1/endpointslices";
inline constexpr const char* pods_path = "/api/v1/pods";
inline constexpr const char* namespaces_path = "/api/v1/namespaces";
inline constexpr const char* network_policies_path = "/apis/networking.k8s.io/v1/networkpolicies";
inline std::string secrets_path(const std::string& ns) { return "/api/v1/namespaces/" + ns + "/secrets"; }
// One named Secret: RBAC with resourceNames (etc/k8s/rbac.yaml) allows list and
// watch only with this field selector (Kubernetes "Using RBAC Authorization":
// referring to resources).
inline std::string named_secret_path(const std::string& ns, const std::string& name) {
  return secrets_path(ns) + "?fieldSelector=metadata.name%3D" + name;
}

}  // namespace petrel::k8s
