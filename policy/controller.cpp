#include "policy/controller.hpp"

#include <algorithm>
#include <map>

namespace petrel::policy {

Controller::Controller(CompileOptions options, Writer& writer) : options_(std::move(options)), writer_(writer) {}

Labels Controller::namespace_labels(const std::string& ns) const {
  for (const auto& n : snapshot_.namespaces)
    if (n.name == ns) return n.labels;
  return Labels{{"kubernetes.io/metadata.name", ns}};
}

std::vector<MemberChange> Controller::member_changes(const std::optional<Pod>& before,
                                                     const std::optional<Pod>& after) const {
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  Pairs old_m, new_m;
  if (before) old_m = pod_membership(desired_.rules.sets, *before, namespace_labels(before->ns));
  if (after) new_m = pod_membership(desired_.rules.sets, *after, namespace_labels(after->ns));
  std::sort(old_m.begin(), old_m.end());
  std::sort(new_m.begin(), new_m.end());
  std::vector<MemberChange> out;
  Pairs gone, came;
  std::set_difference(old_m.begin(), old_m.end(), new_m.begin(), new_m.end(), std::back_inserter(gone));
  std::set_difference(new_m.begin(), new_m.end(), old_m.begin(), old_m.end(), std::back_inserter(came));
  for (auto& [s, m] : gone) out.push_back({s, m, false});
  for (auto& [s, m] : came) out.push_back({s, m, true});
  return out;
}

Result<SyncReport, Error> Controller::apply_member_changes(std::vector<MemberChange> changes) {
  SyncReport report;
  report.kind = changes.empty() ? SyncReport::Kind::none : SyncReport::Kind::members;
  report.member_changes = changes.size();
  if (changes.empty()) return report;
  // The desired state moves on even if the kernel refused: the next resync retries.
  for (const auto& c : changes) {
    auto& set = desired_.members[c.set];
    if (c.add) set.insert(c.member);
    else set.erase(c.member);
  }
  auto r = writer_.apply_members(changes);
  if (!r) return r.error();
  return report;
}

Result<SyncReport, Error> Controller::pod_changed(const std::optional<Pod>& before, const std::optional<Pod>& after) {
  auto changes = member_changes(before, after);
  auto r = apply_member_changes(std::move(changes));
  const std::string key = after ? after->key() : before ? before->key() : "";
  auto it = std::find_if(snapshot_.pods.begin(), snapshot_.pods.end(), [&](const Pod& p) { return p.key() == key; });
  if (after) {
    if (it != snapshot_.pods.end()) *it = *after;
    else snapshot_.pods.push_back(*after);
  } else if (it != snapshot_.pods.end()) {
    snapshot_.pods.erase(it);
  }
  return r;
}

Result<SyncReport, Error> Controller::replace(Snapshot next) {
  if (synced_ && next.policies == snapshot_.policies && next.namespaces == snapshot_.namespaces) {
    // Pods only: membership changes, pod by pod. Sources usually keep the order, so
    // the common prefix is compared in place and only the rest goes through maps.
    std::vector<MemberChange> changes;
    auto opt = [](const Pod* p) { return p ? std::optional<Pod>(*p) : std::nullopt; };
    std::size_t same = 0;
    const auto& before = snapshot_.pods;
    while (same < before.size() && same < next.pods.size() && before[same].ns == next.pods[same].ns &&
           before[same].name == next.pods[same].name) {
      if (!(before[same] == next.pods[same])) {
        auto c = member_changes(before[same], next.pods[same]);
        changes.insert(changes.end(), c.begin(), c.end());
      }
      ++same;
    }
    std::map<std::string, const Pod*> old_pods, new_pods;
    for (std::size_t i = same; i < before.size(); ++i) old_pods[before[i].key()] = &before[i];
    for (std::size_t i = same; i < next.pods.size(); ++i) new_pods[next.pods[i].key()] = &next.pods[i];
    for (const auto& [key, p] : old_pods) {
      auto it = new_pods.find(key);
      const Pod* n = it == new_pods.end() ? nullptr : it->second;
      if (n && *n == *p) continue;
      auto c = member_changes(opt(p), opt(n));
      changes.insert(changes.end(), c.begin(), c.end());
    }
    for (const auto& [key, p] : new_pods)
      if (!old_pods.count(key)) {
        auto c = member_changes(std::nullopt, *p);
        changes.insert(changes.end(), c.begin(), c.end());
      }
    // A delete and an add of the same member (an IP moving between pods) cancel out.
    std::map<std::pair<std::string, std::string>, int> net;
    for (const auto& c : changes) net[{c.set, c.member}] += c.add ? 1 : -1;
    changes.clear();
    for (const auto& [k, v] : net) {
      bool present = desired_.members[k.first].count(k.second) > 0;
      if (v > 0 && !present) changes.push_back({k.first, k.second, true});
      if (v < 0 && present) changes.push_back({k.first, k.second, false});
    }
    auto r = apply_member_changes(std::move(changes));
    snapshot_ = std::move(next);
    return r;
  }

  DesiredState next_desired;
  next_desired.rules = synced_ && next.policies == snapshot_.policies ? desired_.rules
                                                                      : compile_rules(next.policies, options_);
  next_desired.members = compute_members(next_desired.rules.sets, next);
  if (synced_ && next_desired.rules == desired_.rules) {
    // Same rules (e.g. namespace labels changed): members only.
    std::vector<MemberChange> changes;
    for (const auto& [set, want] : next_desired.members) {
      const auto& have = desired_.members[set];
      for (const auto& m : have)
        if (!want.count(m)) changes.push_back({set, m, false});
      for (const auto& m : want)
        if (!have.count(m)) changes.push_back({set, m, true});
    }
    auto r = apply_member_changes(std::move(changes));
    snapshot_ = std::move(next);
    return r;
  }
  // As above: what we want is kept even if this write fails; resync() retries it.
  desired_ = std::move(next_desired);
  snapshot_ = std::move(next);
  synced_ = true;
  auto plan = writer_.sync(desired_);
  if (!plan) return plan.error();
  SyncReport report;
  report.kind = SyncReport::Kind::full;
  report.plan = std::move(*plan);
  return report;
}

Result<SyncReport, Error> Controller::resync() {
  SyncReport report;
  if (!synced_) return report;
  auto plan = writer_.sync(desired_);
  if (!plan) return plan.error();
  report.kind = plan->empty() ? SyncReport::Kind::none : SyncReport::Kind::full;
  report.plan = std::move(*plan);
  return report;
}

}  // namespace petrel::policy
