// policy/k8s_source.hpp — the cluster as petrel-policy's input: Pods, Namespaces and
// NetworkPolicies watched through k8s/ informers.
//
// K8sSource runs three Informers (k8s/informer.hpp) on an io_context in its own
// thread. Their handlers convert each changed object (policy/k8s_convert.hpp) and
// keep the converted objects under a mutex; poll(), called from the program's loop on
// any other thread, hands over a whole Snapshot when anything changed since the last
// one it returned (many changes between two polls become one snapshot) and
// std::nullopt otherwise. Before all three kinds have completed their first list it
// returns nothing at all, so that nothing is ever enforced from a partial view (a
// policy without its pods would isolate them with empty peer sets).
// API errors (server unreachable, dropped watches, 410 Gone) never clear what is
// known: the informers keep their caches and relists are diffed. An object that does
// not decode or convert is reported through on_error and left out; the others go on.
// on_error runs on the watch thread. Destruction stops the watches and the thread.
#pragma once

#include "core/clock.hpp"
#include "core/result.hpp"
#include "k8s/cluster_access.hpp"
#include "k8s/list_watch.hpp"
#include "policy/model.hpp"
#include "policy/source.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace petrel::policy {

struct K8sSourceOptions {
  // This node's name (the pods' spec.nodeName): only its pods are enforced here
  // (Pod::local). Empty: every pod is enforced.
  std::string node_name;
  k8s::ListWatchOptions list_watch;
  // Called on the watch thread for every problem. api_error: the list/watch itself
  // failed (server unreachable, HTTP errors, dropped watches; k8s/ has logged it
  // already and retries); otherwise one object could not be read and is left out.
  std::function<void(const std::string& message, bool api_error)> on_error;
};

class K8sSource : public InputSource {
 public:
  // Connects nothing yet: the first list starts on the watch thread.
  static Result<std::unique_ptr<K8sSource>, Error> start(k8s::ClusterAccess access, K8sSourceOptions options);
  ~K8sSource() override;
  K8sSource(const K8sSource&) = delete;
  K8sSource& operator=(const K8sSource&) = delete;

  Result<std::optional<Snapshot>, Error> poll() override;

  // True once pods, namespaces and policies have each been listed completely.
  bool synced() const;
  // Waits for synced(); false when `timeout` passed first.
  bool wait_synced(std::chrono::milliseconds timeout) const;
  // Waits until poll() has a new snapshot to hand over; false when `timeout` passed
  // first. Lets a loop react at once instead of polling on a timer.
  bool wait_for_change(std::chrono::milliseconds timeout) const;
  // "pods, namespaces: not listed yet; last error: ..." for a timeout message.
  std::string sync_status() const;
  int errors() const;  // objects that failed to decode or convert, and API errors

 private:
  struct Impl;
  explicit K8sSource(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace petrel::policy
