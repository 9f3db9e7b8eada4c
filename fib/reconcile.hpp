// fib/reconcile.hpp — the pure diff between the routes Petrel wants in the kernel
// and the routes the kernel holds under Petrel's protocol number.
//
// This is how Petrel keeps forwarding across its own restarts: at start it dumps
// the kernel's routes carrying its protocol and reconciles instead of flushing
// (a route already right is adopted with no operation; a wrong one is replaced in
// place; one nobody wants any more is removed), and the periodic and event-driven
// resyncs run the same diff to repair drift. Callers pass only routes of Petrel's
// own protocol and table as `observed`: routes of other protocols never reach this
// function and so are never touched. Pure: no I/O, no clock.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "fib/route.hpp"

namespace petrel::fib {

struct Operation {
  enum class Kind : uint8_t {
    // RTM_NEWROUTE with NLM_F_CREATE | NLM_F_EXCL: a new kernel key (prefix, metric).
    // If another owner holds that key the kernel answers EEXIST and its route stays:
    // Petrel never overwrites a route of another protocol.
    install,
    // RTM_NEWROUTE with NLM_F_CREATE | NLM_F_REPLACE: only for a key known to hold a
    // route of Petrel's protocol (seen in a dump, or installed by this writer).
    replace,
    remove,  // RTM_DELROUTE of this prefix (and metric when known), Petrel's protocol only
  };
  Kind kind = Kind::install;
  Route route;  // for remove: the prefix and metric to delete
  friend bool operator==(const Operation&, const Operation&) = default;
};

struct ReconcilePlan {
  std::vector<Operation> operations;  // installs and replaces first, then removes (no forwarding gap)
  std::size_t adopted = 0;   // kernel routes already right: kept, no operation
  std::size_t replaced = 0;  // kernel routes replaced in place (same prefix and metric)
  std::size_t installed = 0; // desired prefixes the kernel did not have
  std::size_t removed = 0;   // kernel routes nobody wants (or duplicates, or a stale metric)
};

// The desired state as reconcile() reads it: a lookup by prefix and a walk over all.
// Lets a caller keep its desired routes in a table of its own layout (the FibWriter
// keeps them beside what it knows is installed, fib/fib_table.hpp).
class DesiredRoutes {
 public:
  virtual ~DesiredRoutes() = default;
  virtual std::optional<Route> find(const Prefix& prefix) const = 0;
  virtual void for_each(const std::function<void(const Route&)>& visit) const = 0;
};

// Desired routes must be normalize()d. `observed` may hold several routes of one
// prefix (different metrics); at most one of them is kept.
ReconcilePlan reconcile(const DesiredRoutes& desired, std::span<const Route> observed);
ReconcilePlan reconcile(const RouteTable& desired, std::span<const Route> observed);

}  // namespace petrel::fib
