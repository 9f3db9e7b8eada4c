// policy_bench — petrel-policy at scale: full-sync time and one-pod-change latency.
//
// Builds a synthetic cluster (default 1,000 NetworkPolicies over 10,000 pods in 100
// namespaces, with pod and namespace selectors, named ports, port ranges, ipBlocks
// and egress rules), then, inside a private network namespace of its own
// (unshare(CLONE_NEWNET): the host's firewall is never touched), measures:
//   full sync      compile + set members + iptables-restore + ipset restore, empty kernel
//   resync         re-read the kernel, find nothing to do
//   pod change     one pod added or removed: member changes + one `ipset restore`
// Targets (issue 8): full sync < 1 s, one pod change < 50 ms. Needs root for the
// kernel part; without it, only the pure parts are timed.
//   policy_bench [--policies N] [--pods N] [--backend nft|legacy] [--changes N]
#include "policy/compiler.hpp"
#include "policy/controller.hpp"
#include "policy/writer.hpp"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace petrel;
using namespace petrel::policy;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

constexpr int kNamespaces = 100;
constexpr int kApps = 20;

Pod make_pod(int i) {
  Pod p;
  p.ns = "ns-" + std::to_string(i % kNamespaces);
  p.name = "pod-" + std::to_string(i);
  p.labels = {{"app", "app-" + std::to_string((i / kNamespaces) % kApps)},
              {"tier", i % 3 == 0 ? "front" : "back"},
              {"pod-template-hash", std::to_string(i % 7)}};
  // 10.128.0.0/9: pod i at 10.128.0.0 + i + 1.
  p.ips.push_back(IpAddress::v4((10u << 24 | 128u << 16) + static_cast<uint32_t>(i) + 1));
  p.ports.push_back({"http", static_cast<uint16_t>(8000 + i % 5), Protocol::tcp});
  p.ports.push_back({"metrics", 9100, Protocol::tcp});
  return p;
}

NetworkPolicy make_policy(int i) {
  NetworkPolicy np;
  np.ns = "ns-" + std::to_string(i % kNamespaces);
  np.name = "policy-" + std::to_string(i);
  np.pod_selector.match_labels = {{"app", "app-" + std::to_string(i % kApps)}};
  PolicyRule from_team;
  Peer team;
  team.namespace_selector = LabelSelector{{{"team", "team-" + std::to_string(i % 10)}}, {}};
  team.pod_selector = LabelSelector{{}, {{"tier", SelectorOp::in, {"front"}}}};
  from_team.peers.push_back(team);
  from_team.ports.push_back(PortSpec{Protocol::tcp, std::nullopt, "http", std::nullopt});
  from_team.ports.push_back(PortSpec{Protocol::tcp, 9000, "", static_cast<uint16_t>(9000 + i % 50)});
  np.ingress.push_back(from_team);
  PolicyRule from_same;
  Peer same;
  same.pod_selector = LabelSelector{{{"app", "app-" + std::to_string((i + 1) % kApps)}}, {}};
  from_same.peers.push_back(same);
  if (i % 4 == 0) {
    Peer block;
    block.ip_block = IpBlock{Prefix::make(IpAddress::v4(172u << 24 | 16u << 16), 12),
                             {Prefix::make(IpAddress::v4(172u << 24 | 16u << 16 | static_cast<uint32_t>(i % 256) << 8), 24)}};
    from_same.peers.push_back(block);
  }
  from_same.ports.push_back(PortSpec{Protocol::tcp, static_cast<uint16_t>(443 + i % 3), "", std::nullopt});
  np.ingress.push_back(from_same);
  if (i % 3 == 0) {
    np.applies_egress = true;
    PolicyRule dns;
    Peer ks;
    ks.namespace_selector = LabelSelector{{{"kubernetes.io/metadata.name", "ns-0"}}, {}};
    dns.peers.push_back(ks);
    dns.ports.push_back(PortSpec{Protocol::udp, 53, "", std::nullopt});
    np.egress.push_back(dns);
  }
  return np;
}

Snapshot make_world(int policies, int pods) {
  Snapshot s;
  for (int n = 0; n < kNamespaces; ++n) {
    std::string name = "ns-" + std::to_string(n);
    s.namespaces.push_back({name, {{"team", "team-" + std::to_string(n % 10)}, {"kubernetes.io/metadata.name", name}}});
  }
  for (int i = 0; i < pods; ++i) s.pods.push_back(make_pod(i));
  for (int i = 0; i < policies; ++i) s.policies.push_back(make_policy(i));
  return s;
}

struct Stats {
  double median = 0, p90 = 0, max = 0;
};
Stats stats(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  if (v.empty()) return {};
  return {v[v.size() / 2], v[v.size() * 9 / 10], v.back()};
}

}  // namespace

int main(int argc, char** argv) {
  int n_policies = 1000, n_pods = 10000, n_changes = 100;
  Backend backend = Backend::nft;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--policies") n_policies = std::atoi(argv[i + 1]);
    else if (a == "--pods") n_pods = std::atoi(argv[i + 1]);
    else if (a == "--changes") n_changes = std::atoi(argv[i + 1]);
    else if (a == "--backend") backend = std::strcmp(argv[i + 1], "legacy") == 0 ? Backend::legacy : Backend::nft;
  }
  Snapshot world = make_world(n_policies, n_pods);
  std::printf("policy_bench: %d policies, %d pods, %d namespaces\n", n_policies, n_pods, kNamespaces);

  auto t0 = Clock::now();
  RuleSet rules = compile_rules(world.policies, {});
  double compile_ms = ms_since(t0);
  t0 = Clock::now();
  SetMembers members = compute_members(rules.sets, world);
  double members_ms = ms_since(t0);
  std::size_t n_rules = 0, n_members = 0;
  for (const auto& c : rules.chains) n_rules += c.rules.size();
  for (const auto& [_, m] : members) n_members += m.size();
  std::printf("  compile:          %8.1f ms  (%zu chains, %zu rules, %zu sets)\n", compile_ms, rules.chains.size(),
              n_rules, rules.sets.size());
  std::printf("  set members:      %8.1f ms  (%zu members)\n", members_ms, n_members);

  if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0) {
    std::printf("  kernel part skipped: needs root (a private network namespace)\n");
    return 0;
  }
  std::printf("  kernel: private network namespace, iptables backend %s\n", backend_name(backend));
  KernelWriter writer(backend);
  Controller controller({}, writer);
  t0 = Clock::now();
  auto full = controller.replace(world);
  double full_ms = ms_since(t0);
  if (!full) {
    std::printf("  full sync failed: %s\n", full.error().message.c_str());
    return 1;
  }
  std::printf("  full sync:        %8.1f ms  (compile + members + ipset restore + iptables-restore; target < 1000)\n",
              full_ms);
  t0 = Clock::now();
  auto again = controller.resync();
  double resync_ms = ms_since(t0);
  if (!again) {
    std::printf("  resync failed: %s\n", again.error().message.c_str());
    return 1;
  }
  std::printf("  resync, no drift: %8.1f ms  (plan empty: %s)\n", resync_ms, again->plan.empty() ? "yes" : "NO");

  // One pod at a time: a new pod (which lands in target, peer, isolation and
  // named-port sets), then its removal.
  std::vector<double> event_ms, snapshot_ms;
  std::size_t changes_per_pod = 0;
  for (int k = 0; k < n_changes; ++k) {
    Pod p = make_pod(n_pods + k);
    t0 = Clock::now();
    auto r = controller.pod_changed(std::nullopt, p);
    event_ms.push_back(ms_since(t0));
    if (!r) {
      std::printf("  pod change failed: %s\n", r.error().message.c_str());
      return 1;
    }
    changes_per_pod = std::max(changes_per_pod, r->member_changes);
    t0 = Clock::now();
    r = controller.pod_changed(p, std::nullopt);
    event_ms.push_back(ms_since(t0));
    if (!r) return 1;
  }
  // The same through a whole new snapshot (what the file source hands over).
  for (int k = 0; k < std::min(n_changes, 10); ++k) {
    Snapshot next = controller.snapshot();
    next.pods.push_back(make_pod(n_pods + k));
    t0 = Clock::now();
    auto r = controller.replace(std::move(next));
    snapshot_ms.push_back(ms_since(t0));
    if (!r || r->kind != SyncReport::Kind::members) {
      std::printf("  snapshot pod change was not members-only\n");
      return 1;
    }
  }
  Stats e = stats(event_ms), s = stats(snapshot_ms);
  std::printf("  pod change (event):    median %6.2f ms, p90 %6.2f, max %6.2f over %zu  (up to %zu set members "
              "each; target < 50)\n",
              e.median, e.p90, e.max, event_ms.size(), changes_per_pod);
  std::printf("  pod change (snapshot): median %6.2f ms, p90 %6.2f, max %6.2f over %zu  (diff of %d pods)\n", s.median,
              s.p90, s.max, snapshot_ms.size(), n_pods);
  auto observed = writer.observe();
  if (observed) {
    Plan p = plan_sync(controller.desired(), *observed);
    std::printf("  kernel matches desired state after all changes: %s\n", p.empty() ? "yes" : "NO");
  }
  return 0;
}
