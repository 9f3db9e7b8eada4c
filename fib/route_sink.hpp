// fib/route_sink.hpp — where the FIB writer's operations go: the kernel
// (NetlinkRouteSink) or nowhere (DryRunSink, for tests and for route reflectors
// that do not forward). Only the FibWriter calls it, one call at a time (from its own
// thread or its SinkWorker's, never both at once).
#pragma once

#include <span>
#include <vector>

#include "core/result.hpp"
#include "fib/reconcile.hpp"

namespace petrel::fib {

// What a sink counts of its own (the writer copies it into FibCounters).
struct SinkCounters {
  uint64_t plain_fallbacks = 0;  // routes sent with their gateways although nexthop objects were wanted
  uint64_t objects_refused = 0;  // nexthop objects the kernel refused to create
};

class RouteSink {
 public:
  virtual ~RouteSink() = default;
  // Applies `ops` in order; sets errors[i] to 0 or the errno the kernel gave ops[i].
  // A remove of a route that is not there reports ESRCH; an install (NLM_F_EXCL) of a
  // key that is taken reports EEXIST.
  virtual void apply(std::span<const Operation> ops, std::span<int> errors) = 0;
  // The routes of Petrel's protocol in Petrel's table, as they are now. Routes of any
  // other protocol or table are never returned (and so never touched).
  virtual Result<std::vector<Route>, Error> dump_own() = 0;
  // Called by the writer thread after apply() and dump_own().
  virtual SinkCounters counters() const { return {}; }
};

}  // namespace petrel::fib
