// policy/writer.hpp — puts a DesiredState into the kernel, and takes it out again.
//
// The I/O shell around policy/plan.hpp: reads what is there (iptables-save -t
// filter, ipset save), lets plan_sync decide, and applies the plan atomically per
// tool (ipset restore; iptables-restore --noflush, one transaction). Knows the two
// iptables backends and picks one the way kube-proxy's iptables wrapper does.
// Never touches a chain, rule or set that is not ours. Not thread-safe: one owner.
#pragma once

#include "core/result.hpp"
#include "policy/plan.hpp"

#include <string>
#include <vector>

namespace petrel::policy {

enum class Backend { nft, legacy };
const char* backend_name(Backend b);

// kube-proxy (iptables-wrapper): count the rules each backend holds; legacy only
// when it has more than nft, nft when equal or when legacy cannot be read.
Backend detect_backend();
// The same decision on the two rule counts (pure, for tests).
Backend choose_backend(long legacy_rules, long nft_rules);

// The kernel side the controller drives; KernelWriter is the real one.
class Writer {
 public:
  virtual ~Writer() = default;
  // Makes the kernel equal to `desired` for everything we own; returns the plan it ran.
  virtual Result<Plan, Error> sync(const DesiredState& desired) = 0;
  // Set members only (a pod came, went or changed).
  virtual Result<void, Error> apply_members(const std::vector<MemberChange>& changes) = 0;
};

// One address family: iptables-* for IPv4, ip6tables-* for IPv6; ipset for both
// (only the family's own sets are read and planned).
class KernelWriter : public Writer {
 public:
  explicit KernelWriter(Backend backend, AddressFamily family = AddressFamily::ipv4);
  Result<ObservedState, Error> observe();
  Result<Plan, Error> sync(const DesiredState& desired) override;
  Result<void, Error> apply_members(const std::vector<MemberChange>& changes) override;
  // Removes every chain, hook and set we own.
  Result<Plan, Error> cleanup();

 private:
  Result<void, Error> apply(const Plan& plan);
  AddressFamily family_;
  std::string save_;
  std::string restore_;
};

}  // namespace petrel::policy
