// policy/controller.hpp — keeps the desired state and decides how little to change.
//
// Owns the current Snapshot and the DesiredState compiled from it. A new snapshot
// whose policies and namespaces are unchanged is a set of pod changes: each becomes
// ipset member adds and deletes (pod_membership), no rule is compiled or written.
// Anything else recompiles; if the rules come out the same, only members change;
// otherwise the writer syncs everything (which still rewrites only chains that
// differ). resync() re-reads the kernel and repairs drift against the same desired
// state. A failed write keeps the new desired state (and returns the error), so the
// next resync() retries it. Single-threaded; the writer does the I/O.
#pragma once

#include "core/result.hpp"
#include "policy/compiler.hpp"
#include "policy/plan.hpp"
#include "policy/writer.hpp"

#include <optional>

namespace petrel::policy {

struct SyncReport {
  enum class Kind { none, members, full } kind = Kind::none;
  std::size_t member_changes = 0;
  Plan plan;  // for full syncs and resyncs
};

class Controller {
 public:
  Controller(CompileOptions options, Writer& writer);

  // Takes a whole new snapshot (the first one is always a full sync).
  Result<SyncReport, Error> replace(Snapshot next);
  // One pod event: `before` absent for an add, `after` absent for a delete.
  Result<SyncReport, Error> pod_changed(const std::optional<Pod>& before, const std::optional<Pod>& after);
  // Re-reads the kernel and repairs anything that differs from the desired state.
  Result<SyncReport, Error> resync();

  const Snapshot& snapshot() const { return snapshot_; }
  const DesiredState& desired() const { return desired_; }

  // The member changes that turn pod `before` into `after` (either may be absent).
  std::vector<MemberChange> member_changes(const std::optional<Pod>& before, const std::optional<Pod>& after) const;

 private:
  Result<SyncReport, Error> apply_member_changes(std::vector<MemberChange> changes);
  Labels namespace_labels(const std::string& ns) const;

  CompileOptions options_;
  Writer& writer_;
  bool synced_ = false;
  Snapshot snapshot_;
  DesiredState desired_;
};

}  // namespace petrel::policy
