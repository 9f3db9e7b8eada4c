// policy/evaluator.hpp — what the policies say about one packet, and why.
//
// Pure evaluation of NetworkPolicy semantics directly on the model (not on the
// compiled rules), for `petrel-policy explain` and for checking the kernel's
// behaviour against an independent answer in the end-to-end tests. A new connection
// from `src` to `dst` is allowed when the egress side of the source pod and the
// ingress side of the destination pod both allow it: a side allows when its pod is
// not selected by any policy of that direction (not isolated), or when at least one
// rule of one selecting policy matches peer and port (the union of policies).
// Addresses that belong to no pod are never isolated. No I/O.
#pragma once

#include "policy/model.hpp"

#include <string>
#include <vector>

namespace petrel::policy {

struct Flow {
  IpAddress src;
  IpAddress dst;
  uint16_t port = 0;
  Protocol protocol = Protocol::tcp;
};

struct SideVerdict {
  bool isolated = false;
  bool allowed = true;
  std::vector<std::string> selecting;  // policies that select the pod for this direction
  std::vector<std::string> allowing;   // "ns/name ingress[0] peer[1] port[0]"
};

struct Verdict {
  bool allowed = true;
  SideVerdict egress;
  SideVerdict ingress;
  std::vector<std::string> lines;  // the explanation, one reason per line
};

Verdict evaluate(const Snapshot& snapshot, const Flow& flow);

}  // namespace petrel::policy
