// fib/dry_run_sink.hpp — a RouteSink without a kernel: records every operation and
// keeps the table the kernel would hold. Used by unit tests and by route reflectors
// that must not forward (fib: {dry-run: true}). Thread-safe: the writer thread
// applies, a test thread inspects.
#pragma once

#include <boost/unordered/unordered_flat_map.hpp>

#include <mutex>

#include "fib/route_sink.hpp"

namespace petrel::fib {

class DryRunSink final : public RouteSink {
 public:
  void apply(std::span<const Operation> ops, std::span<int> errors) override;
  Result<std::vector<Route>, Error> dump_own() override;

  // Test hooks: make installs of `prefix` fail with `error` (0 heals it); change the
  // "kernel" behind the writer's back.
  void fail_prefix(const Prefix& prefix, int error);
  void drift_remove(const Prefix& prefix);
  void drift_put(const Route& route);

  std::vector<Operation> operations() const;  // everything applied, in order
  void clear_operations();
  RouteTable table() const;                   // by prefix (one route per prefix here)

 private:
  mutable std::mutex mutex_;
  std::vector<Operation> operations_;
  RouteTable table_;
  boost::unordered_flat_map<Prefix, int, std::hash<Prefix>> failing_;
};

}  // namespace petrel::fib
