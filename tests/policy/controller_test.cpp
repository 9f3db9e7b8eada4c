// The controller decides how little to change: a pod change is set members only
// (no compile, no rule written); a policy change syncs; resync repairs against the
// same desired state. The writer here records what it is asked to do.
#include "policy/controller.hpp"

#include "policy/manifest.hpp"
#include "policy/writer.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace petrel;
using namespace petrel::policy;

namespace {

class RecordingWriter : public Writer {
 public:
  Result<Plan, Error> sync(const DesiredState& d) override {
    ++syncs;
    last = d;
    return Plan{};
  }
  Result<void, Error> apply_members(const std::vector<MemberChange>& c) override {
    changes.insert(changes.end(), c.begin(), c.end());
    return {};
  }
  int syncs = 0;
  DesiredState last;
  std::vector<MemberChange> changes;
};

Snapshot snapshot(const std::string& inventory) {
  auto pols = parse_policies(R"(
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: w, namespace: prod}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {team: dev}}}], ports: [{port: http}]}]
)", "p");
  REQUIRE(pols.has_value());
  auto inv = parse_inventory(inventory, "i");
  REQUIRE_MESSAGE(inv.has_value(), (inv ? "" : inv.error().message));
  return Snapshot{*pols, inv->pods, inv->namespaces};
}

const char* kBase = R"(
namespaces: [{name: prod}, {name: dev, labels: {team: dev}}]
pods:
- {name: web, namespace: prod, labels: {app: web}, ips: [10.0.1.2], ports: [{name: http, containerPort: 8080}]}
- {name: c, namespace: dev, ips: [10.0.2.2]}
)";

bool has(const std::vector<MemberChange>& changes, const std::string& member, bool add) {
  for (const auto& c : changes)
    if (c.member == member && c.add == add) return true;
  return false;
}

}  // namespace

TEST_CASE("a new pod in a selected namespace is set members only") {
  RecordingWriter w;
  Controller ctl({}, w);
  REQUIRE(ctl.replace(snapshot(kBase)).has_value());
  CHECK(w.syncs == 1);
  std::string more = std::string(kBase) +
                     "- {name: web2, namespace: prod, labels: {app: web}, ips: [10.0.1.3], ports: [{name: http, containerPort: 9000}]}\n"
                     "- {name: d, namespace: dev, ips: [10.0.2.3]}\n";
  auto r = ctl.replace(snapshot(more));
  REQUIRE(r.has_value());
  CHECK(r->kind == SyncReport::Kind::members);
  CHECK(w.syncs == 1);  // no rule written
  CHECK(has(w.changes, "10.0.1.3", true));            // target and isolation sets
  CHECK(has(w.changes, "10.0.1.3,tcp:9000", true));   // named port
  CHECK(has(w.changes, "10.0.2.3", true));            // peer set
  CHECK(ctl.desired().members.at(kIsolatedIngressSet).count("10.0.1.3"));

  w.changes.clear();
  REQUIRE(ctl.replace(snapshot(kBase)).has_value());
  CHECK(w.syncs == 1);
  CHECK(has(w.changes, "10.0.1.3", false));
  CHECK(has(w.changes, "10.0.2.3", false));
  CHECK(!ctl.desired().members.at(kIsolatedIngressSet).count("10.0.1.3"));
}

TEST_CASE("pod events: add, relabel, delete") {
  RecordingWriter w;
  Controller ctl({}, w);
  REQUIRE(ctl.replace(snapshot(kBase)).has_value());
  Pod p{"prod", "x", {{"app", "web"}}, {*IpAddress::parse("10.0.1.9")}, {}};
  auto r = ctl.pod_changed(std::nullopt, p);
  REQUIRE(r.has_value());
  CHECK(r->member_changes == 2);  // target set and isolation set
  Pod relabelled = p;
  relabelled.labels = {{"app", "db"}};
  w.changes.clear();
  REQUIRE(ctl.pod_changed(p, relabelled).has_value());
  CHECK(w.changes.size() == 2);
  CHECK(!w.changes[0].add);
  w.changes.clear();
  REQUIRE(ctl.pod_changed(relabelled, std::nullopt).has_value());
  CHECK(w.changes.empty());
  CHECK(ctl.snapshot().pods.size() == 2);
  CHECK(w.syncs == 1);
}

TEST_CASE("a namespace relabel changes members; a policy change syncs") {
  RecordingWriter w;
  Controller ctl({}, w);
  REQUIRE(ctl.replace(snapshot(kBase)).has_value());
  std::string relabelled = kBase;
  relabelled.replace(relabelled.find("{team: dev}"), 11, "{team: qa}");
  auto r = ctl.replace(snapshot(relabelled));
  REQUIRE(r.has_value());
  CHECK(r->kind == SyncReport::Kind::members);
  CHECK(has(w.changes, "10.0.2.2", false));
  CHECK(w.syncs == 1);

  Snapshot changed = snapshot(relabelled);
  changed.policies[0].ingress[0].ports.clear();
  r = ctl.replace(changed);
  REQUIRE(r.has_value());
  CHECK(r->kind == SyncReport::Kind::full);
  CHECK(w.syncs == 2);
  REQUIRE(ctl.resync().has_value());
  CHECK(w.syncs == 3);
  CHECK(w.last.rules == ctl.desired().rules);
}

TEST_CASE("pods in another order are no change; a relabel in place is") {
  RecordingWriter w;
  Controller ctl({}, w);
  const char* three = R"(
namespaces: [{name: prod}, {name: dev, labels: {team: dev}}]
pods:
- {name: web, namespace: prod, labels: {app: web}, ips: [10.0.1.2], ports: [{name: http, containerPort: 8080}]}
- {name: c, namespace: dev, ips: [10.0.2.2]}
- {name: web2, namespace: prod, labels: {app: web}, ips: [10.0.1.3]}
)";
  REQUIRE(ctl.replace(snapshot(three)).has_value());
  Snapshot reordered = snapshot(three);
  std::reverse(reordered.pods.begin(), reordered.pods.end());
  auto r = ctl.replace(reordered);
  REQUIRE(r.has_value());
  CHECK(r->kind == SyncReport::Kind::none);
  CHECK(w.changes.empty());
  Snapshot relabelled = reordered;
  relabelled.pods[0].labels = {{"app", "db"}};  // web2, now first
  r = ctl.replace(relabelled);
  REQUIRE(r.has_value());
  CHECK(r->kind == SyncReport::Kind::members);
  CHECK(has(w.changes, "10.0.1.3", false));
  CHECK(w.syncs == 1);
}

namespace {
// A writer whose kernel refuses the first N writes.
class FailingWriter : public RecordingWriter {
 public:
  int failures_left = 0;
  Result<Plan, Error> sync(const DesiredState& d) override {
    if (failures_left > 0) {
      --failures_left;
      return Error{"iptables-restore failed"};
    }
    return RecordingWriter::sync(d);
  }
  Result<void, Error> apply_members(const std::vector<MemberChange>& c) override {
    if (failures_left > 0) {
      --failures_left;
      return Error{"ipset restore failed"};
    }
    return RecordingWriter::apply_members(c);
  }
};
}  // namespace

TEST_CASE("a failed write keeps the new desired state; resync applies it") {
  FailingWriter w;
  Controller ctl({}, w);
  REQUIRE(ctl.replace(snapshot(kBase)).has_value());
  w.failures_left = 1;
  std::string more = std::string(kBase) + "- {name: d, namespace: dev, ips: [10.0.2.3]}\n";
  auto r = ctl.replace(snapshot(more));
  CHECK(r.has_error());
  CHECK(ctl.snapshot().pods.size() == 3);
  bool wanted = false;
  for (const auto& [set, members] : ctl.desired().members) wanted = wanted || members.count("10.0.2.3");
  CHECK(wanted);
  REQUIRE(ctl.resync().has_value());
  CHECK(w.syncs == 2);
  bool synced = false;
  for (const auto& [set, members] : w.last.members) synced = synced || members.count("10.0.2.3");
  CHECK(synced);
  // The same file again is no change: nothing is lost between the failure and the resync.
  auto again = ctl.replace(snapshot(more));
  REQUIRE(again.has_value());
  CHECK(again->kind == SyncReport::Kind::none);
}

TEST_CASE("a pod moving onto this node joins the isolation set as a member change") {
  RecordingWriter w;
  Controller c({}, w);
  Snapshot s = snapshot(kBase);
  s.pods[0].local = false;  // prod/web runs elsewhere: not enforced here
  REQUIRE(c.replace(s).has_value());
  CHECK(w.last.members[kIsolatedIngressSet].empty());
  Snapshot moved = s;
  moved.pods[0].local = true;
  auto r = c.replace(moved);
  REQUIRE(r.has_value());
  CHECK(r->kind == SyncReport::Kind::members);
  CHECK(w.syncs == 1);
  REQUIRE(w.changes.size() == 1);
  CHECK(w.changes[0].set == kIsolatedIngressSet);
  CHECK(w.changes[0].member == "10.0.1.2");
  CHECK(w.changes[0].add);
}
