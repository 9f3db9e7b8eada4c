// daemon/forwarding_state.cpp — see forwarding_state.hpp.
#include "daemon/forwarding_state.hpp"

#include <boost/unordered/unordered_flat_map.hpp>

namespace petrel::daemon {
namespace {

constexpr const char* kFamilyName[2] = {"IPv4", "IPv6"};

std::size_t family_of(const Prefix& p) { return p.is_v4() ? 0 : 1; }

}  // namespace

rib::store::KernelRoute to_kernel_route(const fib::Route& r) {
  rib::store::KernelRoute k;
  k.prefix = r.prefix;
  k.blackhole = r.blackhole;
  k.metric = fib::effective_metric(r);
  if (!r.blackhole)
    for (const fib::NextHop& h : r.nexthops) k.next_hops.push_back({h.gateway, h.ifindex, h.weight});
  return k;
}

rib::store::KernelBatch to_kernel_batch(const fib::KernelConfirmation& c) {
  rib::store::KernelBatch b;
  b.full = c.full;
  b.changes.reserve(c.changes.size());
  for (const fib::RouteChange& ch : c.changes)
    b.changes.push_back({ch.prefix, ch.route ? std::optional(to_kernel_route(*ch.route)) : std::nullopt});
  return b;
}

fib::Route to_fib_route(const rib::store::KernelRoute& k) {
  fib::Route r;
  r.prefix = k.prefix;
  r.blackhole = k.blackhole;
  r.metric = k.metric;
  for (const rib::store::KernelNextHop& h : k.next_hops) r.nexthops.push_back({h.gateway, h.ifindex, h.weight});
  fib::normalize(r);
  return r;
}

ForwardingVerdict judge_forwarding(const Result<std::vector<rib::store::KernelRoute>, std::string>& stored,
                                   std::span<const fib::Route> kernel) {
  ForwardingVerdict v;
  if (!stored) {
    for (auto& f : v.family) f.reason = "no record of the routes installed before the restart (" + stored.error() + ")";
    return v;
  }
  // The kernel may hold several routes of ours for a prefix (metrics): any one that matches.
  boost::unordered_flat_map<Prefix, std::vector<const fib::Route*>> found;
  for (const fib::Route& r : kernel) found[r.prefix].push_back(&r);
  for (const rib::store::KernelRoute& k : *stored) {
    FamilyForwarding& f = v.family[family_of(k.prefix)];
    ++f.installed;
    auto it = found.find(k.prefix);
    if (it == found.end()) continue;
    const fib::Route want = to_fib_route(k);
    for (const fib::Route* r : it->second)
      if (fib::kernel_matches(want, *r)) {
        ++f.held;
        break;
      }
  }
  for (FamilyForwarding& f : v.family) {
    const std::string counts = "the kernel holds " + std::to_string(f.held) + " of " + std::to_string(f.installed) +
                               " routes installed before the restart";
    if (f.installed == 0) {
      f.preserved = true;
      f.reason = counts + " (nothing to keep)";
    } else if (f.held == f.installed) {
      f.preserved = true;
      f.reason = counts;
    } else if (f.held == 0) {
      f.reason = counts + " (flushed)";
    } else {
      f.reason = counts + " (" + std::to_string(f.installed - f.held) + " lost or changed)";
    }
  }
  return v;
}

std::vector<std::string> describe(const ForwardingVerdict& v) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < 2; ++i)
    out.push_back(std::string(kFamilyName[i]) + " forwarding state " +
                  (v.family[i].preserved ? "preserved: " : "not preserved: ") + v.family[i].reason);
  return out;
}

}  // namespace petrel::daemon
