// Reload plans: which peers start, stop, restart their session or only run
// their routes through policy again, for each kind of configuration change.
#include "daemon/config_diff.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

using namespace petrel::daemon;
using Names = std::vector<std::string>;

namespace {

// Three peers: a ToR with policies, two iBGP nodes (one a reflector client).
const std::string kBase = R"(router-id: 10.0.0.11
local-as: 64512
listen: [0.0.0.0]
originate: [10.244.1.0/24]
peers:
  - name: tor1
    address: 10.0.0.1
    remote-as: 65001
    hold-time: 9
    import: {policy: from-tor}
    export: {policy: to-tor}
  - name: node2
    address: 10.0.0.12
    remote-as: internal
  - name: node3
    address: 10.0.0.13
    remote-as: internal
    route-reflector-client: true
    export: {policy: to-nodes}
prefix-sets:
  pods: ["10.244.0.0/16 le 24"]
policies:
  from-tor: [{action: accept}]
  to-tor:
    - {match: {prefix-set: pods}, action: accept}
    - action: reject
  to-nodes: [{action: accept}]
)";

Config parse(const std::string& yaml) {
  auto r = parse_config(yaml, "petrel.yaml");
  if (!r.has_value()) FAIL("unexpected error: " << r.error().to_string());
  return std::move(*r);
}

// kBase with the first occurrence of `from` replaced by `to`.
Config changed(const std::string& from, const std::string& to) {
  std::string text = kBase;
  const std::size_t at = text.find(from);
  REQUIRE_MESSAGE(at != std::string::npos, "not in the base config: " << from);
  text.replace(at, from.size(), to);
  return parse(text);
}

// Everything in the plan but the listed parts is empty.
void check_only(const ReloadPlan& p, const Names& reset, const Names& reevaluated, const Names& policies = {}) {
  CHECK(p.peers_added.empty());
  CHECK(p.peers_removed.empty());
  CHECK(p.peers_reset == reset);
  CHECK(p.peers_reevaluated == reevaluated);
  CHECK(p.peers_updated.empty());
  CHECK(p.policies_changed == policies);
  CHECK_FALSE(p.global_reset);
  CHECK_FALSE(p.originate_changed);
  CHECK_FALSE(p.fib_changed);
  CHECK_FALSE(p.best_path_changed);
}

}  // namespace

TEST_CASE("the same configuration plans nothing, even written differently") {
  const Config a = parse(kBase);
  CHECK(plan_reload(a, a).nothing());
  // Comments, key order and extra blank lines are no change; neither are the
  // rules' line numbers.
  std::string text = kBase;
  text.insert(text.find("policies:"), "# a comment\n\n\n");
  text.replace(text.find("remote-as: 65001\n    hold-time: 9\n"), std::string("remote-as: 65001\n    hold-time: 9\n").size(),
               "hold-time: 9\n    remote-as: 65001\n");
  const ReloadPlan p = plan_reload(a, parse(text));
  CHECK(p.nothing());
}

TEST_CASE("a peer added and a peer removed") {
  const Config running = parse(kBase);
  std::string text = kBase;
  text.insert(text.find("prefix-sets:"), "  - {name: node4, address: 10.0.0.14, remote-as: internal}\n");
  const ReloadPlan added = plan_reload(running, parse(text));
  CHECK(added.peers_added == Names{"node4"});
  CHECK(added.peers_removed.empty());
  CHECK(added.peers_reset.empty());
  CHECK(added.peers_reevaluated.empty());
  CHECK(added.policies_changed.empty());

  const ReloadPlan removed = plan_reload(parse(text), running);
  CHECK(removed.peers_removed == Names{"node4"});
  CHECK(removed.peers_added.empty());
  CHECK(removed.peers_reset.empty());

  // A rename is a removal and an addition.
  const ReloadPlan renamed = plan_reload(running, changed("name: node2", "name: node-2"));
  CHECK(renamed.peers_removed == Names{"node2"});
  CHECK(renamed.peers_added == Names{"node-2"});
}

TEST_CASE("settings a session negotiated or its socket uses reset that session only") {
  const Config running = parse(kBase);
  check_only(plan_reload(running, changed("hold-time: 9", "hold-time: 30")), {"tor1"}, {});
  check_only(plan_reload(running, changed("remote-as: 65001", "remote-as: 65002")), {"tor1"}, {});
  check_only(plan_reload(running, changed("address: 10.0.0.12", "address: 10.0.0.22")), {"node2"}, {});
  check_only(plan_reload(running, changed("hold-time: 9\n", "hold-time: 9\n    families: [ipv4, ipv6]\n")), {"tor1"}, {});
  check_only(plan_reload(running, changed("hold-time: 9\n", "hold-time: 9\n    add-path: receive\n")), {"tor1"}, {});
  check_only(plan_reload(running, changed("hold-time: 9\n", "hold-time: 9\n    graceful-restart: {}\n")), {"tor1"}, {});
  check_only(plan_reload(running, changed("hold-time: 9\n", "hold-time: 9\n    passive: true\n")), {"tor1"}, {});
  check_only(plan_reload(running, changed("hold-time: 9\n", "hold-time: 9\n    ttl-security: 1\n")), {"tor1"}, {});
  check_only(plan_reload(running, changed("hold-time: 9\n", "hold-time: 9\n    local-address: 10.0.0.11\n")), {"tor1"}, {});
  check_only(plan_reload(running, changed("hold-time: 9\n", "hold-time: 9\n    disabled: true\n")), {"tor1"}, {});
}

TEST_CASE("a changed password resets the session") {
  // Two files with different secrets; the same file name with a new secret
  // counts too (the value is compared, not only the file).
  char a_path[] = "/tmp/petrel-diff-test-a-XXXXXX";
  char b_path[] = "/tmp/petrel-diff-test-b-XXXXXX";
  const int a = mkstemp(a_path);
  const int b = mkstemp(b_path);
  REQUIRE(a >= 0);
  REQUIRE(b >= 0);
  REQUIRE(write(a, "one\n", 4) == 4);
  REQUIRE(write(b, "two\n", 4) == 4);
  close(a);
  close(b);
  const Config first = changed("hold-time: 9\n", std::string("hold-time: 9\n    password-file: ") + a_path + "\n");
  const Config second = changed("hold-time: 9\n", std::string("hold-time: 9\n    password-file: ") + b_path + "\n");
  check_only(plan_reload(first, second), {"tor1"}, {});
  check_only(plan_reload(parse(kBase), first), {"tor1"}, {});
  // The same file, rewritten with a new password: a reload reads it again.
  const int again = open(a_path, O_WRONLY | O_TRUNC);
  REQUIRE(again >= 0);
  REQUIRE(write(again, "three\n", 6) == 6);
  close(again);
  const Config rewritten = changed("hold-time: 9\n", std::string("hold-time: 9\n    password-file: ") + a_path + "\n");
  check_only(plan_reload(first, rewritten), {"tor1"}, {});
  CHECK(plan_reload(rewritten, rewritten).nothing());
  unlink(a_path);
  unlink(b_path);
}

TEST_CASE("a policy body change re-evaluates exactly the peers that use it") {
  const Config running = parse(kBase);
  const ReloadPlan p = plan_reload(running, changed("- action: reject", "- {match: {community: \"65001:1\"}, action: accept}\n    - action: reject"));
  check_only(p, {}, {"tor1"}, {"to-tor"});

  // A prefix-set change is a change of every policy that uses the set.
  const ReloadPlan sets = plan_reload(running, changed("le 24", "le 26"));
  check_only(sets, {}, {"tor1"}, {"to-tor"});

  // A policy nobody uses: listed, no peer touched.
  const ReloadPlan unused = plan_reload(running, changed("policies:\n", "policies:\n  spare: [{action: reject}]\n"));
  check_only(unused, {}, {}, {"spare"});
}

TEST_CASE("live settings re-evaluate the peer's routes without a reset") {
  const Config running = parse(kBase);
  check_only(plan_reload(running, changed("route-reflector-client: true", "route-reflector-client: false")), {}, {"node3"});
  check_only(plan_reload(running, changed("address: 10.0.0.12\n", "address: 10.0.0.12\n    route-reflector-client: true\n")), {},
             {"node2"});
  check_only(plan_reload(running, changed("export: {policy: to-tor}", "export: {policy: to-nodes}")), {}, {"tor1"});
  check_only(plan_reload(running, changed("import: {policy: from-tor}", "import: {policy: from-tor, limit: {max: 5}}")), {}, {"tor1"});
  check_only(plan_reload(running, changed("hold-time: 9\n", "hold-time: 9\n    next-hop: self\n")), {}, {"tor1"});
  check_only(plan_reload(running, changed("hold-time: 9\n", "hold-time: 9\n    mrai-ms: 100\n")), {}, {"tor1"});
  check_only(plan_reload(running, changed("hold-time: 9\n", "hold-time: 9\n    soft-reconfiguration: true\n")), {}, {"tor1"});
  check_only(plan_reload(running, changed("hold-time: 9\n", "hold-time: 9\n    allow-own-as: 1\n")), {}, {"tor1"});
}

TEST_CASE("connect-retry and bfd apply by themselves") {
  const Config running = parse(kBase);
  for (const char* extra : {"    connect-retry: 10\n", "    bfd: {interval-ms: 100}\n"}) {
    CAPTURE(extra);
    const ReloadPlan p = plan_reload(running, changed("hold-time: 9\n", std::string("hold-time: 9\n") + extra));
    CHECK(p.peers_updated == Names{"tor1"});
    CHECK(p.peers_reset.empty());
    CHECK(p.peers_reevaluated.empty());
    CHECK_FALSE(p.nothing());
  }
}

TEST_CASE("router-id, local-as, cluster-id or listen changes reset every session") {
  const Config running = parse(kBase);
  for (const auto& [from, to] : {std::pair{"router-id: 10.0.0.11", "router-id: 10.0.0.99"},
                                 std::pair{"local-as: 64512", "local-as: 64513"},
                                 std::pair{"listen: [0.0.0.0]", "listen: [0.0.0.0]\ncluster-id: 1.1.1.1"},
                                 std::pair{"listen: [0.0.0.0]", "listen: [{address: 0.0.0.0, port: 1179}]"}}) {
    CAPTURE(to);
    const ReloadPlan p = plan_reload(running, changed(from, to));
    CHECK(p.global_reset);
    CHECK(p.peers_reset == Names{"tor1", "node2", "node3"});
    CHECK(p.peers_reevaluated.empty());
  }
  // With a global reset, added and removed peers are still told apart.
  std::string text = kBase;
  text.replace(text.find("local-as: 64512"), 15, "local-as: 64513");
  text.replace(text.find("name: node2"), 11, "name: node9");
  const ReloadPlan p = plan_reload(running, parse(text));
  CHECK(p.peers_reset == Names{"tor1", "node3"});
  CHECK(p.peers_added == Names{"node9"});
  CHECK(p.peers_removed == Names{"node2"});
}

TEST_CASE("global settings that touch no session") {
  const Config running = parse(kBase);
  const ReloadPlan originate = plan_reload(running, changed("originate: [10.244.1.0/24]", "originate: [10.244.9.0/24]"));
  CHECK(originate.originate_changed);
  CHECK(originate.peers_reset.empty());

  const ReloadPlan fib = plan_reload(running, changed("listen: [0.0.0.0]", "listen: [0.0.0.0]\nfib: {table: 100}"));
  CHECK(fib.fib_changed);
  CHECK(fib.peers_reset.empty());

  const ReloadPlan best = plan_reload(running, changed("listen: [0.0.0.0]", "listen: [0.0.0.0]\nmax-paths: 4"));
  CHECK(best.best_path_changed);
  CHECK_FALSE(best.fib_changed);

  const ReloadPlan control = plan_reload(running, changed("listen: [0.0.0.0]", "listen: [0.0.0.0]\nmetrics: \"127.0.0.1:9100\""));
  CHECK(control.control_changed);

  const ReloadPlan log = plan_reload(running, changed("listen: [0.0.0.0]", "listen: [0.0.0.0]\nlog-level: debug"));
  CHECK(log.log_level_changed);

  const ReloadPlan k8s = plan_reload(running, changed("listen: [0.0.0.0]", "listen: [0.0.0.0]\nkubernetes: {enabled: true}"));
  CHECK(k8s.kubernetes_changed);

  const ReloadPlan store = plan_reload(
      running, changed("listen: [0.0.0.0]", "listen: [0.0.0.0]\nstore: {path: /srv, enabled: false, history-max-age: 60, "
                                            "history-max-entries: 7}\nselection-deferral: 9"));
  CHECK(store.restart_needed == Names{"store.path", "store.enabled", "store.history-max-age",
                                      "store.history-max-entries", "selection-deferral"});
  for (const ReloadPlan* p : {&originate, &fib, &best, &control, &log, &k8s, &store}) {
    CHECK_FALSE(p->nothing());
    CHECK_FALSE(p->global_reset);
    CHECK(p->peers_reevaluated.empty());
  }
}

TEST_CASE("the reload evidence case: a policy changed and a peer added keep the other sessions") {
  const Config running = parse(kBase);
  std::string text = kBase;
  text.insert(text.find("prefix-sets:"), "  - {name: node4, address: 10.0.0.14, remote-as: internal, export: {policy: to-nodes}}\n");
  text.replace(text.find("to-nodes: [{action: accept}]"), 28, "to-nodes: [{set: {local-pref: 50}}]");
  const ReloadPlan p = plan_reload(running, parse(text));
  CHECK(p.peers_added == Names{"node4"});
  CHECK(p.peers_reevaluated == Names{"node3"});  // node4 is new: not re-evaluated, started
  CHECK(p.peers_reset.empty());
  CHECK(p.policies_changed == Names{"to-nodes"});
}
