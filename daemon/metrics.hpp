// daemon/metrics.hpp — Prometheus metrics: a snapshot of petreld's counters
// rendered in the Prometheus text exposition format (version 0.0.4), and a
// small HTTP server that serves it on GET /metrics (and GET /healthz, /readyz).
//
// The snapshot is plain data filled by the daemon on its own thread; rendering
// is pure. Label sets stay bounded: one series per configured peer and
// family, never per prefix.
// Must not know sessions, the RIB or the FIB: only this snapshot.
#pragma once

#include <boost/asio/any_io_executor.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ip.hpp"
#include "core/result.hpp"

namespace petrel::daemon {

struct PeerMetrics {
  std::string name;           // label peer="…"
  std::string address;        // label address="…"
  std::string state;          // "idle", "connect", "active", "opensent", "openconfirm", "established"
  double uptime_seconds = 0;  // 0 unless established
  uint64_t flaps = 0;
  uint64_t messages_in = 0, messages_out = 0;
  uint64_t updates_in = 0, updates_out = 0;
  uint64_t prefixes_received = 0;   // paths the peer sent that we hold before policy (Adj-RIB-In), when known
  uint64_t prefixes_accepted = 0;   // paths from the peer in the Loc-RIB
  uint64_t prefixes_advertised = 0; // prefixes in its Adj-RIB-Out
  std::optional<bool> bfd_up;       // with BFD configured: its session is Up
};

struct FibMetrics {
  bool enabled = false;
  uint64_t installs = 0, removes = 0, failures = 0, retries = 0;
  uint64_t plain_fallbacks = 0;  // routes sent plain although nexthop objects were wanted
  uint64_t objects_refused = 0;  // nexthop objects the kernel refused
  uint64_t queue_depth = 0;
  uint64_t routes = 0;  // routes Petrel wants in the kernel
};

struct StoreMetrics {
  bool enabled = false;  // the store is open (not off, not unusable)
  uint64_t journal_entries = 0;
  uint64_t written = 0, dropped = 0, expired = 0;
  uint64_t queue_depth = 0;
};

// With kubernetes.enabled only (no series without it).
struct K8sInformerMetrics {
  std::string resource;  // label resource="nodes", "services", "endpointslices", "secret NS/NAME"
  bool synced = false;
  uint64_t errors = 0;
};
struct K8sMetrics {
  bool enabled = false;
  bool synced = false;           // nodes, services and endpointslices listed once (readiness)
  uint64_t announcements = 0;    // prefixes derived from the cluster
  uint64_t peers = 0;            // peers derived from the cluster
  std::vector<K8sInformerMetrics> informers;
};

struct MetricsSnapshot {
  std::string version;
  double start_time_seconds = 0;  // Unix time
  bool draining = false;          // `drain` (RFC 8326) is on
  std::vector<PeerMetrics> peers;
  uint64_t rib_prefixes = 0, rib_paths = 0, rib_attribute_sets = 0, rib_memory_bytes = 0;
  FibMetrics fib;
  StoreMetrics store;
  uint64_t bfd_packets_discarded = 0;  // BFD packets that failed a check (bfd::ServiceCounters)
  K8sMetrics k8s;
};

// The text exposition format: HELP and TYPE lines, then samples.
std::string render_prometheus(const MetricsSnapshot& s);

// Where the endpoint listens: "A.B.C.D:PORT" or "[IPv6]:PORT" (port 0..65535;
// 0 lets the kernel choose). No host names: the daemon must not resolve names
// to decide where it listens.
struct MetricsAddress {
  IpAddress address;
  uint16_t port = 0;
  friend bool operator==(const MetricsAddress&, const MetricsAddress&) = default;
};
// The error names the text and what was wrong with it.
Result<MetricsAddress, std::string> parse_metrics_address(std::string_view text);

// Serves GET /metrics (text/plain; version=0.0.4) and GET /healthz ("ok") on
// `address` ("127.0.0.1:9469", "[::1]:9469"); HEAD too; other methods: 405,
// other paths: 404. Requests are bounded (8 KiB of headers); a client that
// sends garbage, stalls or goes away ends only its own connection. The snapshot
// function runs on the executor's thread for every scrape; if it throws, that
// scrape gets 500. GET /readyz asks the readiness function: nullopt is ready
// (200 "ok"), a reason is 503 with the reason; without one it is always ready.
// Construct, use and destroy on the executor's thread.
class MetricsServer {
 public:
  using SnapshotFn = std::function<MetricsSnapshot()>;
  using ReadinessFn = std::function<std::optional<std::string>()>;
  MetricsServer(boost::asio::any_io_executor executor, SnapshotFn snapshot);
  ~MetricsServer();
  void set_readiness(ReadinessFn ready);
  // Binds and starts accepting; an error names the address.
  Result<void, std::string> listen(const std::string& address);
  uint16_t port() const;  // the bound port (tests bind port 0)

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace petrel::daemon
