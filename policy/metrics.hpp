// policy/metrics.hpp — petrel-policy's counters and gauges, and a tiny /metrics server.
//
// Metrics is a thread-safe table of Prometheus samples (name + labels -> value),
// rendered in the text exposition format 0.0.4 (pure; tested). MetricsServer answers
// every HTTP request on its socket with that text, from its own thread; it parses
// nothing but the request line's end. Errors (bad address, bind failure) are values.
#pragma once

#include "core/result.hpp"

#include <atomic>
#include <map>
#include <mutex>
#include <string>
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

class MetricsServer {
 public:
  explicit MetricsServer(const Metrics& metrics) : metrics_(metrics) {}
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;
  // "127.0.0.1:9470" or "[::1]:9470".
  Result<void, Error> start(const std::string& address);
  void stop();

 private:
  void serve();
  const Metrics& metrics_;
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace petrel::policy
