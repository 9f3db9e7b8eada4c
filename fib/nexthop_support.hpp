// fib/nexthop_support.hpp — whether the kernel takes Petrel's nexthop objects, and
// what the netlink sink does when it refuses one. The decision only, as a pure value
// (no I/O, no clock, no logging): NetlinkRouteSink acts on the verdicts, logs the
// ones marked `log` and reports the counts. Single-threaded: the writer thread.
//
// Nexthop objects are the default (KernelTarget::nexthop_objects). Two refusals:
//  - No nexthop API (Linux < 5.3 has no RTM_NEWNEXTHOP/RTM_GETNEXTHOP: rtnetlink
//    answers EOPNOTSUPP for a message type it does not know). Seen as EOPNOTSUPP or
//    EINVAL on the start-up dump of nexthop objects, EOPNOTSUPP on any object, or
//    EINVAL on an object before the kernel ever accepted a nexthop request. From
//    then on the whole sink writes plain routes (gateways in each route).
//  - One object refused for any other reason (a gateway the kernel cannot check
//    in the main table — objects are checked there, a route in its own table —,
//    an id another owner took, …): the routes that would use it are sent as plain
//    routes in the same batch, so no route is lost or delayed; the next batch that
//    needs the object tries to create it again.
// Each reason (API missing, or one errno) is logged once; every route sent plain
// although objects were wanted is counted (plain_fallbacks), as is every object
// the kernel refused (objects_refused).
#pragma once

#include <cstdint>
#include <set>
#include <string>

namespace petrel::fib {

class NexthopSupport {
 public:
  enum class Api { unknown, available, missing };

  struct Verdict {
    bool api_missing = false;  // the kernel has no nexthop API: objects are off from now on
    bool log = false;          // the first refusal for this reason: the sink logs `reason`
    std::string reason;
  };

  explicit NexthopSupport(bool wanted) : wanted_(wanted) {}

  bool wanted() const { return wanted_; }
  bool use_objects() const { return wanted_ && api_ != Api::missing; }
  Api api() const { return api_; }

  // The start-up dump of nexthop objects answered `error` (0: it worked). A verdict
  // with api_missing means "carry on without objects"; any other failed dump is a
  // failed dump (the caller reports it).
  Verdict on_dump(int error);
  // The kernel accepted an object (or any other nexthop request).
  void on_object_accepted();
  // The kernel refused to create an object with `error` (a positive errno).
  Verdict on_object_refused(int error);
  // `routes` routes with gateways went out as plain routes although objects were wanted.
  void count_plain(uint64_t routes) { plain_fallbacks_ += routes; }

  uint64_t plain_fallbacks() const { return plain_fallbacks_; }
  uint64_t objects_refused() const { return objects_refused_; }

 private:
  Verdict missing(const std::string& why);

  bool wanted_;
  Api api_ = Api::unknown;
  bool logged_missing_ = false;
  std::set<int> logged_errors_;
  uint64_t plain_fallbacks_ = 0;
  uint64_t objects_refused_ = 0;
};

}  // namespace petrel::fib
