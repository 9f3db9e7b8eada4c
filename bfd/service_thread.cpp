// bfd/service_thread.cpp — see service_thread.hpp.
#include "bfd/service_thread.hpp"

#include <pthread.h>

#include <boost/asio/post.hpp>

#include <future>
#include <map>
#include <mutex>

namespace petrel::bfd {

namespace asio = boost::asio;

// Which listener is current for each peer. A relay posted by the BFD thread
// carries the generation of the add() it belongs to; a removed or replaced
// session's late relays find another generation (or none) and are dropped.
struct ServiceThread::Registry {
  struct Entry {
    uint64_t generation;
    std::shared_ptr<Listener> listener;
  };
  std::mutex mutex;
  std::map<IpAddress, Entry> entries;
  uint64_t next_generation = 1;

  void forget(const IpAddress& peer, uint64_t generation) {
    std::lock_guard lock(mutex);
    auto it = entries.find(peer);
    if (it != entries.end() && it->second.generation == generation) entries.erase(it);
  }
};

ServiceThread::ServiceThread(asio::any_io_executor home, ServiceOptions options)
    : home_(std::move(home)), registry_(std::make_shared<Registry>()), io_(1), work_(io_.get_executor()),
      service_(std::make_unique<Service>(io_.get_executor(), clock_, options)) {
  thread_ = std::thread([this] { io_.run(); });
  pthread_setname_np(thread_.native_handle(), "petrel-bfd");
}

ServiceThread::~ServiceThread() {
  // After everything posted so far (removals send their AdminDown at once).
  asio::post(io_, [this] { io_.stop(); });
  thread_.join();
  service_.reset();  // its sockets and timers, before the io_context
}

// Runs f(service) on the BFD thread and waits for its result, at most
// kAnswerTimeout. The promise is shared: a late answer finds it still there.
template <class F>
auto ServiceThread::ask(F f) const -> std::optional<std::invoke_result_t<F, Service&>> {
  using T = std::invoke_result_t<F, Service&>;
  if (io_.get_executor().running_in_this_thread()) return f(*service_);
  auto promise = std::make_shared<std::promise<T>>();
  std::future<T> answer = promise->get_future();
  asio::post(io_, [service = service_.get(), f = std::move(f), promise]() mutable { promise->set_value(f(*service)); });
  if (answer.wait_for(kAnswerTimeout) != std::future_status::ready) return std::nullopt;
  return answer.get();
}

Result<void, std::string> ServiceThread::add(const SessionRequest& request, Listener on_change) {
  uint64_t generation;
  {
    std::lock_guard lock(registry_->mutex);
    generation = registry_->next_generation++;
    registry_->entries[request.peer] = {generation, std::make_shared<Listener>(std::move(on_change))};
  }
  // On the BFD thread: hand the change over to the home executor, copies only.
  Listener relay = [home = home_, weak = std::weak_ptr<Registry>(registry_), peer = request.peer, generation](
                       const SessionView& view, const Transition& t) {
    asio::post(home, [weak, peer, generation, view, t] {
      auto registry = weak.lock();
      if (!registry) return;
      std::shared_ptr<Listener> listener;
      {
        std::lock_guard lock(registry->mutex);
        auto it = registry->entries.find(peer);
        if (it == registry->entries.end() || it->second.generation != generation) return;
        listener = it->second.listener;
      }
      if (*listener) (*listener)(view, t);
    });
  };
  auto added = ask([request, relay = std::move(relay)](Service& s) { return s.add(request, relay); });
  if (!added) {
    // It may still be added later: take it away again behind it.
    registry_->forget(request.peer, generation);
    asio::post(io_, [service = service_.get(), peer = request.peer] { service->remove(peer); });
    return Result<void, std::string>(boost::system::in_place_error,
                                     "BFD session to " + request.peer.to_string() + ": the BFD thread did not answer in " +
                                         std::to_string(kAnswerTimeout.count()) + " s");
  }
  if (!*added) registry_->forget(request.peer, generation);
  return *added;
}

bool ServiceThread::update(const IpAddress& peer, const SessionSettings& settings) {
  {
    std::lock_guard lock(registry_->mutex);
    if (!registry_->entries.count(peer)) return false;
  }
  asio::post(io_, [service = service_.get(), peer, settings] { service->update(peer, settings); });
  return true;
}

void ServiceThread::remove(const IpAddress& peer) {
  {
    std::lock_guard lock(registry_->mutex);
    registry_->entries.erase(peer);
  }
  asio::post(io_, [service = service_.get(), peer] { service->remove(peer); });
}

std::optional<SessionView> ServiceThread::find(const IpAddress& peer) const {
  auto found = ask([peer](Service& s) { return s.find(peer); });
  return found ? *found : std::nullopt;
}

std::vector<SessionView> ServiceThread::sessions() const {
  auto all = ask([](Service& s) { return s.sessions(); });
  return all ? std::move(*all) : std::vector<SessionView>{};
}

ServiceCounters ServiceThread::counters() const {
  auto c = ask([](Service& s) { return s.counters(); });
  return c ? std::move(*c) : ServiceCounters{};
}

}  // namespace petrel::bfd
