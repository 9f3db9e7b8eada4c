// daemon/metrics_render.cpp — MetricsSnapshot -> Prometheus text exposition
// format, version 0.0.4 (prometheus.io/docs/instrumenting/exposition_formats/).
//
// Each metric family is written once, in a fixed order: its HELP line, its TYPE
// line, then all its samples, so the families never interleave. Counters end
// in _total. Label values are escaped (backslash, double quote, line feed); HELP
// text escapes backslash and line feed. Families without samples (no peers)
// still get their HELP and TYPE lines, so the output's shape does not depend on
// the configuration. Pure: no I/O, no clock.
#include "daemon/metrics.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <string_view>
#include <utility>

namespace petrel::daemon {

namespace {

// The BGP states of RFC 4271 §8.2.2, as the `state` label spells them. One
// series per state and peer keeps petrel_bgp_peer_state bounded.
constexpr std::array<std::string_view, 6> bgp_states{"idle",     "connect",     "active",
                                                     "opensent", "openconfirm", "established"};

// "open_sent", "OpenSent" and "opensent" all name the same state.
std::string normalize_state(std::string_view state) {
  std::string out;
  for (char c : state) {
    if (c == '_' || c == '-') continue;
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

// Float in the form Prometheus parses (Go's ParseFloat): shortest round-trip
// decimal, and NaN, +Inf, -Inf spelled as the format says.
std::string format_double(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  std::array<char, 64> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  if (ec != std::errc{}) return "NaN";  // cannot happen with 64 bytes
  return std::string(buf.data(), end);
}

using Label = std::pair<std::string_view, std::string_view>;

class Writer {
 public:
  void family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    for (char c : help) {
      if (c == '\\') out_ += "\\\\";
      else if (c == '\n') out_ += "\\n";
      else out_ += c;
    }
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }

  void sample(std::string_view name, std::initializer_list<Label> labels, std::string_view value) {
    out_ += name;
    if (labels.size() > 0) {
      out_ += '{';
      bool first = true;
      for (const auto& [label, label_value] : labels) {
        if (!first) out_ += ',';
        first = false;
        out_ += label;
        out_ += "=\"";
        append_escaped_label_value(label_value);
        out_ += '"';
      }
      out_ += '}';
    }
    out_ += ' ';
    out_ += value;
    out_ += '\n';
  }
  void sample(std::string_view name, std::initializer_list<Label> labels, uint64_t value) {
    sample(name, labels, std::string_view(std::to_string(value)));
  }
  void sample(std::string_view name, std::initializer_list<Label> labels, double value) {
    sample(name, labels, std::string_view(format_double(value)));
  }

  std::string take() { return std::move(out_); }

 private:
  void append_escaped_label_value(std::string_view v) {
    for (char c : v) {
      if (c == '\\') out_ += "\\\\";
      else if (c == '"') out_ += "\\\"";
      else if (c == '\n') out_ += "\\n";
      else out_ += c;
    }
  }

  std::string out_;
};

// One family with one sample per peer, labelled {peer, address}.
template <class Value>
void per_peer(Writer& w, const MetricsSnapshot& s, std::string_view name, std::string_view type,
              std::string_view help, Value value_of) {
  w.family(name, type, help);
  for (const auto& p : s.peers) w.sample(name, {{"peer", p.name}, {"address", p.address}}, value_of(p));
}

void render_build(Writer& w, const MetricsSnapshot& s) {
  w.family("petrel_build_info", "gauge", "Petrel's version in the label; always 1.");
  w.sample("petrel_build_info", {{"version", s.version}}, uint64_t{1});
  w.family("petrel_start_time_seconds", "gauge", "When petreld started, in seconds since the Unix epoch.");
  w.sample("petrel_start_time_seconds", {}, s.start_time_seconds);
  w.family("petrel_draining", "gauge", "1 while petreld drains (RFC 8326 GRACEFUL_SHUTDOWN, service IPs withdrawn), else 0.");
  w.sample("petrel_draining", {}, uint64_t{s.draining});
}

void render_peers(Writer& w, const MetricsSnapshot& s) {
  per_peer(w, s, "petrel_bgp_peer_up", "gauge", "1 when the BGP session is Established, else 0.",
           [](const PeerMetrics& p) { return uint64_t{normalize_state(p.state) == "established"}; });

  w.family("petrel_bgp_peer_state", "gauge",
           "BGP session state (RFC 4271 section 8.2.2): 1 for the current state, 0 for the others.");
  for (const auto& p : s.peers) {
    const std::string current = normalize_state(p.state);
    for (std::string_view state : bgp_states)
      w.sample("petrel_bgp_peer_state", {{"peer", p.name}, {"address", p.address}, {"state", state}},
               uint64_t{current == state});
  }

  per_peer(w, s, "petrel_bgp_peer_uptime_seconds", "gauge",
           "Seconds since the session reached Established; 0 when it is not.",
           [](const PeerMetrics& p) { return p.uptime_seconds; });
  per_peer(w, s, "petrel_bgp_peer_flaps_total", "counter", "Times the session went down after being Established.",
           [](const PeerMetrics& p) { return p.flaps; });
  per_peer(w, s, "petrel_bgp_peer_messages_received_total", "counter", "BGP messages received from the peer.",
           [](const PeerMetrics& p) { return p.messages_in; });
  per_peer(w, s, "petrel_bgp_peer_messages_sent_total", "counter", "BGP messages sent to the peer.",
           [](const PeerMetrics& p) { return p.messages_out; });
  per_peer(w, s, "petrel_bgp_peer_updates_received_total", "counter", "UPDATE messages received from the peer.",
           [](const PeerMetrics& p) { return p.updates_in; });
  per_peer(w, s, "petrel_bgp_peer_updates_sent_total", "counter", "UPDATE messages sent to the peer.",
           [](const PeerMetrics& p) { return p.updates_out; });
  per_peer(w, s, "petrel_bgp_peer_prefixes_received", "gauge",
           "Paths the peer sent that are held before import policy (Adj-RIB-In).",
           [](const PeerMetrics& p) { return p.prefixes_received; });
  per_peer(w, s, "petrel_bgp_peer_prefixes_accepted", "gauge",
           "Paths from the peer accepted by import policy (in the Loc-RIB).",
           [](const PeerMetrics& p) { return p.prefixes_accepted; });
  per_peer(w, s, "petrel_bgp_peer_prefixes_advertised", "gauge", "Prefixes advertised to the peer (Adj-RIB-Out).",
           [](const PeerMetrics& p) { return p.prefixes_advertised; });
}

void render_bfd(Writer& w, const MetricsSnapshot& s) {
  w.family("petrel_bfd_session_up", "gauge", "1 when the peer's BFD session is Up, else 0; peers with BFD only.");
  for (const auto& p : s.peers)
    if (p.bfd_up) w.sample("petrel_bfd_session_up", {{"peer", p.name}, {"address", p.address}}, uint64_t{*p.bfd_up});
  w.family("petrel_bfd_packets_discarded_total", "counter",
           "BFD packets dropped by a reception check (RFC 5880 section 6.8.6, RFC 5881 TTL).");
  w.sample("petrel_bfd_packets_discarded_total", {}, s.bfd_packets_discarded);
}

void gauge(Writer& w, std::string_view name, std::string_view help, uint64_t value) {
  w.family(name, "gauge", help);
  w.sample(name, {}, value);
}

void counter(Writer& w, std::string_view name, std::string_view help, uint64_t value) {
  w.family(name, "counter", help);
  w.sample(name, {}, value);
}

void render_rib(Writer& w, const MetricsSnapshot& s) {
  gauge(w, "petrel_rib_prefixes", "Prefixes in the Loc-RIB, all families.", s.rib_prefixes);
  gauge(w, "petrel_rib_paths", "Paths in the RIB, all peers and families.", s.rib_paths);
  gauge(w, "petrel_rib_attribute_sets", "Distinct interned path attribute sets.", s.rib_attribute_sets);
  gauge(w, "petrel_rib_memory_bytes", "Memory held by the RIB, in bytes (estimate).", s.rib_memory_bytes);
}

void render_fib(Writer& w, const MetricsSnapshot& s) {
  const FibMetrics& f = s.fib;
  gauge(w, "petrel_fib_enabled", "1 when routes are written to the kernel, 0 in dry-run mode.", uint64_t{f.enabled});
  counter(w, "petrel_fib_installs_total", "Routes added or replaced in the kernel.", f.installs);
  counter(w, "petrel_fib_removes_total", "Routes removed from the kernel.", f.removes);
  counter(w, "petrel_fib_failures_total", "Kernel route operations that failed.", f.failures);
  counter(w, "petrel_fib_retries_total", "Kernel route operations retried after a failure.", f.retries);
  counter(w, "petrel_fib_plain_fallbacks_total",
          "Routes written with their gateways because the kernel refused their nexthop object.", f.plain_fallbacks);
  counter(w, "petrel_fib_nexthop_objects_refused_total", "Kernel nexthop objects the kernel refused to create.",
          f.objects_refused);
  gauge(w, "petrel_fib_queue_depth", "Route changes waiting to be written to the kernel.", f.queue_depth);
  gauge(w, "petrel_fib_routes", "Routes Petrel wants in the kernel.", f.routes);
}

void render_store(Writer& w, const MetricsSnapshot& s) {
  const StoreMetrics& st = s.store;
  gauge(w, "petrel_store_enabled", "1 when the route journal is being written (store open), 0 otherwise.",
        uint64_t{st.enabled});
  gauge(w, "petrel_store_journal_entries", "Best-path changes kept in the route journal.", st.journal_entries);
  counter(w, "petrel_store_changes_written_total", "Best-path changes written to the store.", st.written);
  counter(w, "petrel_store_changes_dropped_total", "Best-path changes dropped because the store fell behind.",
          st.dropped);
  counter(w, "petrel_store_entries_expired_total", "Journal entries removed by retention (age or count).",
          st.expired);
  gauge(w, "petrel_store_queue_depth", "Best-path changes waiting for the store thread.", st.queue_depth);
}

void render_k8s(Writer& w, const MetricsSnapshot& s) {
  const K8sMetrics& k = s.k8s;
  if (!k.enabled) return;
  gauge(w, "petrel_k8s_synced", "1 once nodes, services and endpointslices were listed from the API server.",
        uint64_t{k.synced});
  gauge(w, "petrel_k8s_announcements", "Prefixes announced because of cluster objects.", k.announcements);
  gauge(w, "petrel_k8s_peers", "BGP peers that come from cluster objects.", k.peers);
  w.family("petrel_k8s_informer_synced", "gauge", "1 once the informer listed its resource.");
  for (const auto& i : k.informers) w.sample("petrel_k8s_informer_synced", {{"resource", i.resource}}, uint64_t{i.synced});
  w.family("petrel_k8s_informer_errors_total", "counter",
           "API errors of the informer (failed requests, dropped watches, bad objects).");
  for (const auto& i : k.informers) w.sample("petrel_k8s_informer_errors_total", {{"resource", i.resource}}, i.errors);
}

}  // namespace

std::string render_prometheus(const MetricsSnapshot& s) {
  Writer w;
  render_build(w, s);
  render_peers(w, s);
  render_bfd(w, s);
  render_rib(w, s);
  render_fib(w, s);
  render_store(w, s);
  render_k8s(w, s);
  return w.take();
}

}  // namespace petrel::daemon
