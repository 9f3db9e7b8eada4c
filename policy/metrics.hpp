// policy/metrics.hpp — petrel-policy's counters and gauges, and a tiny /metrics server.
//
// Metrics is a thread-safe table of Prometheus samples (name + labels -> value),
// rendered in the text exposition format 0.0.4 (pure; tested). MetricsServer answers
// HTTP requests on its socket from its own thread: GET /healthz 200 while the program
// runs (liveness), GET /readyz 200 once the first sync has been written and 503
// before (readiness: in Kubernetes mode, after the first complete lists), anything
// else the metrics text. It reads only the request line. Errors (bad address, bind
// failure) are values.
#pragma once

#include "core/result.hpp"

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace petrel::policy {

class Metrics {
 public:
  // `labels` is the inside of the braces, e.g. family="ipv4",kind="full".
  void add(const std::string& name, const std::string& labels, double delta);
  void set(const std::string& name, const std::string& labels, double value);
  // HELP and TYPE lines come from describe(); samples sorted by name and labels.
  void describe(const std::string& name, const std::string& type, const std::string& help);
  std::string render() const;

 private:
  struct Family {
    std::string type = "gauge";
    std::string help;
    std::map<std::string, double> samples;  // labels -> value
  };
  mutable std::mutex mutex_;
  std::map<std::string, Family> families_;
};

// The whole HTTP/1.0 response to a request head (pure; what MetricsServer sends).
std::string http_response(std::string_view request_head, bool ready, const Metrics& metrics);

class MetricsServer {
 public:
  explicit MetricsServer(const Metrics& metrics) : metrics_(metrics) {}
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;
  // "127.0.0.1:9470" or "[::1]:9470".
  Result<void, Error> start(const std::string& address);
  void stop();
  void set_ready(bool ready) { ready_ = ready; }

 private:
  void serve();
  const Metrics& metrics_;
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<bool> ready_{false};
  std::thread thread_;
};

}  // namespace petrel::policy
