// petrel-policy — Kubernetes NetworkPolicy enforcement with iptables and ipsets.
//
// Wiring only: configuration -> input source -> controller (compile, desired state)
// -> kernel writer; a loop that polls the source, resyncs periodically and shortly
// after each write (drift repair). Subcommands: explain (pure evaluator), --dry-run
// (print what would be restored), --cleanup (remove all we own), --once.
#include "core/log.hpp"
#include "policy/compiler.hpp"
#include "policy/config.hpp"
#include "policy/controller.hpp"
#include "policy/evaluator.hpp"
#include "policy/manifest.hpp"
#include "policy/source.hpp"
#include "policy/writer.hpp"

#include <boost/program_options.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <csignal>
#include <iostream>
#include <thread>

namespace po = boost::program_options;
using namespace petrel;
using namespace petrel::policy;

namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

void log_plan(const char* what, const Plan& p) {
  spdlog::info("{}: {} chains written, {} removed, {} hooks added, {} sets created, {} destroyed, +{} -{} members",
               what, p.chains_written, p.chains_removed, p.hooks_added, p.sets_created, p.sets_destroyed,
               p.members_added, p.members_removed);
  for (const auto& problem : p.problems) spdlog::warn("{}", problem);
}

void log_report(const char* what, const SyncReport& r) {
  if (r.kind == SyncReport::Kind::full) log_plan(what, r.plan);
  else if (r.kind == SyncReport::Kind::members) spdlog::info("{}: {} ipset member changes", what, r.member_changes);
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
  auto snap = load_snapshot(cfg.policy_files, cfg.inventory_file);
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
    auto snap = load_snapshot(cfg.policy_files, cfg.inventory_file);
    if (!snap) {
      std::cerr << snap.error().message << "\n";
      return 1;
    }
    RuleSet rules = compile_rules(snap->policies, cfg.compile);
    std::cout << "# ipset restore\n" << render_ipset(rules, compute_members(rules.sets, *snap));
    std::cout << "# iptables-restore --noflush\n" << render_iptables(rules);
    return 0;
  }
  Backend backend = cfg.backend == "nft"      ? Backend::nft
                    : cfg.backend == "legacy" ? Backend::legacy
                                              : detect_backend();
  spdlog::info("iptables backend: {}{}", backend_name(backend), cfg.backend == "auto" ? " (detected)" : "");
  KernelWriter writer(backend);
  if (vm.count("cleanup")) {
    auto plan = writer.cleanup();
    if (!plan) {
      spdlog::error("cleanup: {}", plan.error().message);
      return 1;
    }
    log_plan("cleanup", *plan);
    return 0;
  }

  FileSource source(cfg.policy_files, cfg.inventory_file);
  Controller controller(cfg.compile, writer);
  auto first = source.poll();
  if (!first) {
    spdlog::error("{}", first.error().message);
    return 1;
  }
  auto report = controller.replace(std::move(**first));
  if (!report) {
    spdlog::error("sync: {}", report.error().message);
    return 1;
  }
  log_report("sync", *report);
  if (vm.count("once")) return 0;

  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  using Clock = std::chrono::steady_clock;
  auto secs = [](double s) { return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s)); };
  auto next_resync = Clock::now() + secs(cfg.resync_after_write_s);
  while (!g_stop) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto changed = source.poll();
    if (!changed) {
      spdlog::error("inputs not applied, keeping the previous state: {}", changed.error().message);
    } else if (*changed) {
      auto r = controller.replace(std::move(**changed));
      if (!r) {
        spdlog::error("sync: {}", r.error().message);
      } else {
        log_report("update", *r);
        if (r->kind != SyncReport::Kind::none)
          next_resync = std::min(next_resync, Clock::now() + secs(cfg.resync_after_write_s));
      }
    }
    if (Clock::now() >= next_resync) {
      auto r = controller.resync();
      if (!r) spdlog::error("resync: {}", r.error().message);
      else if (r->kind != SyncReport::Kind::none) log_report("resync repaired drift", *r);
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
