// petrel-policy — Kubernetes NetworkPolicy enforcement with iptables and ipsets.
//
// Wiring only: configuration -> input source (files, or the cluster through k8s/
// informers) -> controller (compile, desired state) -> kernel writer; a loop that
// polls the source, resyncs periodically and shortly after each write (drift repair). Subcommands: explain (pure evaluator), --dry-run
// (print what would be restored), --cleanup (remove all we own), --once.
#include "core/log.hpp"
#include "policy/compiler.hpp"
#include "policy/config.hpp"
#include "policy/controller.hpp"
#include "policy/evaluator.hpp"
#include "policy/k8s_source.hpp"
#include "policy/manifest.hpp"
#include "policy/metrics.hpp"
#include "policy/source.hpp"
#include "policy/writer.hpp"

#include <boost/program_options.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <csignal>
#include <iostream>
#include <memory>
#include <thread>

namespace po = boost::program_options;
using namespace petrel;
using namespace petrel::policy;

namespace {

volatile std::sig_atomic_t g_stop = 0;

const char* family_name(AddressFamily f) { return f == AddressFamily::ipv4 ? "ipv4" : "ipv6"; }

// The kernel side of one address family.
struct Stack {
  Stack(CompileOptions options, Backend backend, AddressFamily family)
      : name(family_name(family)), writer(backend, family), controller(with_family(options, family), writer) {}
  static CompileOptions with_family(CompileOptions o, AddressFamily f) {
    o.family = f;
    return o;
  }
  std::string name;
  KernelWriter writer;
  Controller controller;
};
void on_signal(int) { g_stop = 1; }

void log_plan(const char* what, const Plan& p) {
  spdlog::info("{}: {} chains written, {} removed, {} hooks added, {} sets created, {} destroyed, +{} -{} members",
               what, p.chains_written, p.chains_removed, p.hooks_added, p.sets_created, p.sets_destroyed,
               p.members_added, p.members_removed);
  for (const auto& problem : p.problems) spdlog::warn("{}", problem);
}

Metrics g_metrics;

void describe_metrics() {
  g_metrics.describe("petrel_policy_syncs_total", "counter", "Writes to the kernel, by kind (full: rules and sets; members: ipset members only).");
  g_metrics.describe("petrel_policy_sync_errors_total", "counter", "Failed syncs and resyncs.");
  g_metrics.describe("petrel_policy_drift_repairs_total", "counter", "Resyncs that found and repaired drift.");
  g_metrics.describe("petrel_policy_member_changes_total", "counter", "ipset member adds and deletes from pod and namespace changes.");
  g_metrics.describe("petrel_policy_input_errors_total", "counter",
                     "Inputs that could not be applied: input files, API objects, API errors.");
  g_metrics.describe("petrel_policy_chains", "gauge", "Chains petrel-policy owns.");
  g_metrics.describe("petrel_policy_rules", "gauge", "Rules in the chains petrel-policy owns.");
  g_metrics.describe("petrel_policy_sets", "gauge", "ipsets petrel-policy owns.");
  g_metrics.describe("petrel_policy_set_members", "gauge", "Members of the ipsets petrel-policy owns.");
  g_metrics.describe("petrel_policy_objects", "gauge", "Inputs in force, by kind.");
  g_metrics.describe("petrel_policy_last_sync_seconds", "gauge", "Duration of the last write or resync.");
}

void record(const std::string& family, const Controller& c, const Result<SyncReport, Error>& r, double seconds,
            bool resync) {
  std::string fam = "family=\"" + family + "\"";
  if (!r) {
    g_metrics.add("petrel_policy_sync_errors_total", fam, 1);
    return;
  }
  g_metrics.set("petrel_policy_last_sync_seconds", fam, seconds);
  if (r->kind == SyncReport::Kind::full) {
    g_metrics.add("petrel_policy_syncs_total", fam + ",kind=\"full\"", 1);
    if (resync) g_metrics.add("petrel_policy_drift_repairs_total", fam, 1);
  } else if (r->kind == SyncReport::Kind::members) {
    g_metrics.add("petrel_policy_syncs_total", fam + ",kind=\"members\"", 1);
    g_metrics.add("petrel_policy_member_changes_total", fam, static_cast<double>(r->member_changes));
  }
  const DesiredState& d = c.desired();
  std::size_t rules = 0, members = 0;
  for (const auto& ch : d.rules.chains) rules += ch.rules.size();
  for (const auto& [_, m] : d.members) members += m.size();
  g_metrics.set("petrel_policy_chains", fam, static_cast<double>(d.rules.chains.size()));
  g_metrics.set("petrel_policy_rules", fam, static_cast<double>(rules));
  g_metrics.set("petrel_policy_sets", fam, static_cast<double>(d.rules.sets.size()));
  g_metrics.set("petrel_policy_set_members", fam, static_cast<double>(members));
  const Snapshot& s = c.snapshot();
  g_metrics.set("petrel_policy_objects", "kind=\"networkpolicy\"", static_cast<double>(s.policies.size()));
  g_metrics.set("petrel_policy_objects", "kind=\"pod\"", static_cast<double>(s.pods.size()));
  g_metrics.set("petrel_policy_objects", "kind=\"namespace\"", static_cast<double>(s.namespaces.size()));
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void log_report(const char* what, const SyncReport& r) {
  if (r.kind == SyncReport::Kind::full) log_plan(what, r.plan);
  else if (r.kind == SyncReport::Kind::members) spdlog::info("{}: {} ipset member changes", what, r.member_changes);
}

std::chrono::milliseconds sync_timeout(const PolicyConfig& cfg) {
  return std::chrono::milliseconds(static_cast<long>(cfg.kubernetes.sync_timeout_s * 1000));
}

// Kubernetes mode: the cluster's address and credentials, then the watch.
Result<std::unique_ptr<K8sSource>, Error> start_k8s_source(const PolicyConfig& cfg) {
  const auto& kc = cfg.kubernetes;
  auto access = kc.kubeconfig.empty() ? k8s::load_in_cluster() : k8s::load_kubeconfig(kc.kubeconfig, kc.context);
  if (!access) return Error{"kubernetes: " + access.error().to_string()};
  spdlog::info("kubernetes: {} at {}:{}; enforcing {}", access->source, access->host, access->port,
               kc.node_name.empty() ? std::string("every pod") : "the pods of node " + kc.node_name);
  K8sSourceOptions options;
  options.node_name = kc.node_name;
  options.on_error = [](const std::string& message, bool api_error) {
    if (!api_error) spdlog::warn("kubernetes: {}", message);  // k8s/ logs its own list/watch errors
    g_metrics.add("petrel_policy_input_errors_total", "", 1);
  };
  return K8sSource::start(std::move(*access), std::move(options));
}

// The inputs as they are now, for --dry-run and explain: the files, or the cluster
// once its lists are complete (bounded by sync-timeout).
Result<Snapshot, Error> current_snapshot(const PolicyConfig& cfg) {
  if (!cfg.kubernetes.enabled) return load_snapshot(cfg.policy_files, cfg.inventory_file);
  auto source = start_k8s_source(cfg);
  if (!source) return source.error();
  if (!(*source)->wait_synced(sync_timeout(cfg)))
    return Error{fmt::format("kubernetes: not synced within {} s (sync-timeout): {}", cfg.kubernetes.sync_timeout_s,
                             (*source)->sync_status())};
  auto snap = (*source)->poll();
  if (!snap) return snap.error();
  if (!*snap) return Error{"kubernetes: synced but no snapshot"};  // cannot happen: the first one always comes
  return std::move(**snap);
}

int explain(const PolicyConfig& cfg, const po::variables_map& vm) {
  if (!vm.count("from") || !vm.count("to") || !vm.count("port")) {
    std::cerr << "explain needs --from IP --to IP --port N [--proto tcp|udp|sctp]\n";
    return 2;
  }
  Flow f;
  auto src = IpAddress::parse(vm["from"].as<std::string>());
  auto dst = IpAddress::parse(vm["to"].as<std::string>());
  if (!src || !dst) {
    std::cerr << "explain: --from and --to must be IP addresses\n";
    return 2;
  }
  f.src = *src;
  f.dst = *dst;
  int port = vm["port"].as<int>();
  if (port < 0 || port > 65535) {
    std::cerr << "explain: --port out of range\n";
    return 2;
  }
  f.port = static_cast<uint16_t>(port);
  std::string proto = vm["proto"].as<std::string>();
  if (proto == "tcp") f.protocol = Protocol::tcp;
  else if (proto == "udp") f.protocol = Protocol::udp;
  else if (proto == "sctp") f.protocol = Protocol::sctp;
  else {
    std::cerr << "explain: --proto must be tcp, udp or sctp\n";
    return 2;
  }
  auto snap = current_snapshot(cfg);
  if (!snap) {
    std::cerr << snap.error().message << "\n";
    return 2;
  }
  Verdict v = evaluate(*snap, f);
  for (const auto& line : v.lines) std::cout << line << "\n";
  return v.allowed ? 0 : 1;
}

int run(const PolicyConfig& cfg, const po::variables_map& vm) {
  if (vm.count("dry-run")) {
    auto snap = current_snapshot(cfg);
    if (!snap) {
      std::cerr << snap.error().message << "\n";
      return 1;
    }
    for (AddressFamily family : cfg.families) {
      CompileOptions opt = cfg.compile;
      opt.family = family;
      RuleSet rules = compile_rules(snap->policies, opt);
      const char* tool = family == AddressFamily::ipv4 ? "iptables" : "ip6tables";
      std::cout << "# " << family_name(family) << ": ipset restore\n"
                << render_ipset(rules, compute_members(rules.sets, *snap));
      std::cout << "# " << family_name(family) << ": " << tool << "-restore --noflush\n" << render_iptables(rules);
    }
    return 0;
  }
  // One writer and one controller per address family (iptables, ip6tables); the
  // backend is detected only once there is something to write.
  std::vector<std::unique_ptr<Stack>> stacks;
  auto make_stacks = [&] {
    Backend backend = cfg.backend == "nft"      ? Backend::nft
                      : cfg.backend == "legacy" ? Backend::legacy
                                                : detect_backend();
    spdlog::info("iptables backend: {}{}", backend_name(backend), cfg.backend == "auto" ? " (detected)" : "");
    for (AddressFamily family : cfg.families) stacks.push_back(std::make_unique<Stack>(cfg.compile, backend, family));
  };
  if (vm.count("cleanup")) {
    make_stacks();
    int rc = 0;
    for (auto& st : stacks) {
      auto plan = st->writer.cleanup();
      if (!plan) {
        spdlog::error("{} cleanup: {}", st->name, plan.error().message);
        rc = 1;
        continue;
      }
      log_plan((st->name + " cleanup").c_str(), *plan);
    }
    return rc;
  }

  // The input source: the files (standalone), or the cluster's pods, namespaces and
  // NetworkPolicies. Nothing is enforced from the cluster before all three are listed.
  std::unique_ptr<InputSource> source;
  K8sSource* cluster = nullptr;
  if (cfg.kubernetes.enabled) {
    auto started = start_k8s_source(cfg);
    if (!started) {
      spdlog::error("{}", started.error().message);
      return 1;
    }
    cluster = started->get();
    source = std::move(*started);
    if (vm.count("once") && !cluster->wait_synced(sync_timeout(cfg))) {
      spdlog::error("kubernetes: not synced within {} s (sync-timeout): {}", cfg.kubernetes.sync_timeout_s,
                    cluster->sync_status());
      return 1;
    }
  } else {
    source = std::make_unique<FileSource>(cfg.policy_files, cfg.inventory_file);
  }
  make_stacks();
  auto first = source->poll();
  if (!first) {
    spdlog::error("{}", first.error().message);
    return 1;
  }
  bool written = false;  // the first snapshot is in the kernel: /readyz answers 200
  if (*first) {
    written = true;
    for (auto& st : stacks) {
      auto t0 = std::chrono::steady_clock::now();
      auto report = st->controller.replace(**first);
      record(st->name, st->controller, report, seconds_since(t0), false);
      if (!report) {
        spdlog::error("{} sync: {}", st->name, report.error().message);
        return 1;
      }
      log_report((st->name + " sync").c_str(), *report);
    }
  } else {
    spdlog::info("kubernetes: waiting for the first complete lists of pods, namespaces and networkpolicies");
  }
  if (vm.count("once")) return 0;

  describe_metrics();
  MetricsServer metrics_server(g_metrics);
  if (!cfg.metrics_address.empty()) {
    auto started = metrics_server.start(cfg.metrics_address);
    if (!started) {
      spdlog::error("{}", started.error().message);
      return 1;
    }
    spdlog::info("metrics on http://{}/metrics (probes: /healthz, /readyz)", cfg.metrics_address);
  }
  metrics_server.set_ready(written);
  bool have_snapshot = written;
  auto mark_written = [&] {
    written = true;
    metrics_server.set_ready(true);
    spdlog::info("first sync written: ready");
  };

  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  using Clock = std::chrono::steady_clock;
  auto secs = [](double s) { return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s)); };
  auto next_resync = Clock::now() + secs(cfg.resync_after_write_s);
  auto next_sync_warning = Clock::now() + secs(cfg.kubernetes.sync_timeout_s);
  while (!g_stop) {
    // The cluster wakes the loop as soon as something changed; files are polled.
    if (cluster) cluster->wait_for_change(std::chrono::milliseconds(100));
    else std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (cluster && !cluster->synced() && Clock::now() >= next_sync_warning) {
      spdlog::warn("kubernetes: still not synced, nothing enforced yet: {}", cluster->sync_status());
      next_sync_warning = Clock::now() + secs(cfg.kubernetes.sync_timeout_s);
    }
    auto changed = source->poll();
    if (!changed) {
      spdlog::error("inputs not applied, keeping the previous state: {}", changed.error().message);
      g_metrics.add("petrel_policy_input_errors_total", "", 1);
    } else if (*changed) {
      bool all_written = true;
      for (auto& st : stacks) {
        auto t0 = Clock::now();
        auto r = st->controller.replace(**changed);
        record(st->name, st->controller, r, seconds_since(t0), false);
        if (!r) {
          all_written = false;
          spdlog::error("{} sync: {} (retried at the next resync)", st->name, r.error().message);
          next_resync = std::min(next_resync, Clock::now() + secs(cfg.resync_after_write_s));
        } else {
          log_report((st->name + " update").c_str(), *r);
          if (r->kind != SyncReport::Kind::none)
            next_resync = std::min(next_resync, Clock::now() + secs(cfg.resync_after_write_s));
        }
      }
      have_snapshot = true;
      if (all_written && !written) mark_written();
    }
    if (Clock::now() >= next_resync) {
      bool all_repaired = true;
      for (auto& st : stacks) {
        auto t0 = Clock::now();
        auto r = st->controller.resync();
        record(st->name, st->controller, r, seconds_since(t0), true);
        if (!r) {
          all_repaired = false;
          spdlog::error("{} resync: {}", st->name, r.error().message);
        } else if (r->kind != SyncReport::Kind::none) log_report((st->name + " resync repaired drift").c_str(), *r);
      }
      if (have_snapshot && all_repaired && !written) mark_written();  // a failed first write, repaired
      next_resync = Clock::now() + secs(cfg.resync_period_s);
    }
  }
  spdlog::info("stopping; rules stay in place (use --cleanup to remove them)");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description opts("petrel-policy -c CONFIG [--once] [--cleanup] [--dry-run] | explain --from IP --to IP --port N --proto P");
  opts.add_options()
      ("help,h", "this help")
      ("config,c", po::value<std::string>(), "configuration file (YAML)")
      ("once", "sync once and exit")
      ("cleanup", "remove every chain, rule and set petrel-policy owns, and exit")
      ("dry-run", "print the ipset restore and iptables-restore input, touch nothing")
      ("from", po::value<std::string>(), "explain: source IP")
      ("to", po::value<std::string>(), "explain: destination IP")
      ("port", po::value<int>(), "explain: destination port")
      ("proto", po::value<std::string>()->default_value("tcp"), "explain: tcp, udp or sctp")
      ("command", po::value<std::string>(), "explain");
  po::positional_options_description pos;
  pos.add("command", 1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(opts).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "petrel-policy: " << e.what() << "\n" << opts << "\n";
    return 2;
  }
  if (vm.count("help") || !vm.count("config")) {
    std::cout << opts << "\n";
    return vm.count("help") ? 0 : 2;
  }
  auto cfg = load_config(vm["config"].as<std::string>());
  if (!cfg) {
    std::cerr << cfg.error().message << "\n";
    return 2;
  }
  auto level = parse_log_level(cfg->log_level);
  init_logging(level.value_or(LogLevel::info));
  if (vm.count("command")) {
    if (vm["command"].as<std::string>() != "explain") {
      std::cerr << "petrel-policy: unknown command '" << vm["command"].as<std::string>() << "'\n";
      return 2;
    }
    return explain(*cfg, vm);
  }
  return run(*cfg, vm);
}
