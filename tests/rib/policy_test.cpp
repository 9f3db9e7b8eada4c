// Routing policy: every match key (true and false), prefix ranges at their
// ge/le boundaries (IPv4 and IPv6), every set action, `next` chaining,
// first-match-wins, the implicit reject, and config mistakes reported at their
// exact line and column.
#include "rib/policy.hpp"
#include "rib/policy_config.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

using namespace petrel;
using namespace petrel::rib;
namespace wire = petrel::bgp::wire;

namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }
Prefix pfx(const char* text) { return *Prefix::parse(text); }

constexpr uint32_t comm(uint32_t hi, uint32_t lo) { return hi << 16 | lo; }

// A route from AS 65001 (path 65001 65002 65003, origin 65003) with
// communities 65001:10 and no-export, large community 65001:1:2.
RouteAttrs route() {
  RouteAttrs r;
  r.attrs.origin = wire::Origin::igp;
  r.attrs.as_path = wire::AsPath{{{wire::AsSegmentType::sequence, {65001, 65002, 65003}}}};
  r.attrs.communities = {comm(65001, 10), wire::community::no_export};
  r.attrs.large_communities = {{65001, 1, 2}};
  r.attrs.next_hop = ip("192.0.2.1");
  r.next_hop = ip("192.0.2.1");
  return r;
}

PolicyContext ctx() {
  PolicyContext c;
  c.peer_name = "tor1";
  c.peer_address = ip("10.0.0.1");
  c.local_as = 64512;
  c.self_next_hop = ip("10.0.0.11");
  return c;
}

PolicySet compile_ok(const std::string& yaml) {
  auto r = compile_policies(YAML::Load(yaml), "test.yaml");
  if (!r.has_value()) FAIL("unexpected error: " << r.error().to_string());
  return std::move(*r);
}

ConfigError compile_err(const std::string& yaml) {
  auto r = compile_policies(YAML::Load(yaml), "petrel.yaml");
  REQUIRE_FALSE(r.has_value());
  return r.error();
}

// Evaluates policy `p` of a one-policy document.
Verdict eval(const std::string& yaml, const char* prefix, RouteAttrs& attrs, const PolicyContext& c = ctx()) {
  PolicySet set = compile_ok(yaml);
  const Policy* p = set.find("p");
  REQUIRE(p != nullptr);
  return evaluate(*p, pfx(prefix), attrs, c);
}

// A policy accepting exactly what `match` (a flow map body) matches.
std::string accept_if(const std::string& match) {
  return "prefix-sets: {pods: [\"10.244.0.0/16 le 26\"], v6: [\"2001:db8::/32 le 64\"]}\n"
         "policies:\n  p:\n    - match: {" + match + "}\n      action: accept\n";
}

}  // namespace

TEST_CASE("each match key holds and fails") {
  struct Row {
    const char* match;
    const char* prefix;
    bool accepted;
  };
  const Row rows[] = {
      {"prefix-set: pods", "10.244.1.0/24", true},
      {"prefix-set: pods", "10.245.1.0/24", false},
      {"prefix-set: [v6, pods]", "2001:db8:1::/48", true},
      {"prefix-set: [v6, pods]", "192.0.2.0/24", false},
      {"prefix: [\"192.0.2.0/24\"]", "192.0.2.0/24", true},
      {"prefix: [\"192.0.2.0/24\"]", "192.0.2.0/25", false},
      {"community: \"65001:10\"", "192.0.2.0/24", true},
      {"community: \"65001:11\"", "192.0.2.0/24", false},
      {"community: [\"1:1\", no-export]", "192.0.2.0/24", true},
      {"community: no-advertise", "192.0.2.0/24", false},
      {"community: \"65001:*\"", "192.0.2.0/24", true},
      {"community: \"*:10\"", "192.0.2.0/24", true},
      {"community: \"*:11\"", "192.0.2.0/24", false},
      {"large-community: \"65001:1:2\"", "192.0.2.0/24", true},
      {"large-community: [\"65001:1:3\", \"65001:2:2\"]", "192.0.2.0/24", false},
      {"as-path-contains: 65002", "192.0.2.0/24", true},
      {"as-path-contains: [64999, 65004]", "192.0.2.0/24", false},
      {"originates-from: 65003", "192.0.2.0/24", true},
      {"originates-from: 65001", "192.0.2.0/24", false},  // in the path, but the neighbour
      {"as-path-length: {min: 3, max: 3}", "192.0.2.0/24", true},
      {"as-path-length: {max: 2}", "192.0.2.0/24", false},
      {"as-path-length: {min: 4}", "192.0.2.0/24", false},
      {"peer: tor1", "192.0.2.0/24", true},
      {"peer: tor2", "192.0.2.0/24", false},
      {"peer: 10.0.0.1", "192.0.2.0/24", true},
      {"peer: 10.0.0.2", "192.0.2.0/24", false},
      {"peer: [tor9, 10.0.0.0/30]", "192.0.2.0/24", true},
      {"peer: 10.0.0.4/30", "192.0.2.0/24", false},
      {"family: ipv4", "192.0.2.0/24", true},
      {"family: ipv6", "192.0.2.0/24", false},
      {"family: ipv6", "2001:db8::/32", true},
      // AND across keys
      {"family: ipv4, community: no-export", "192.0.2.0/24", true},
      {"family: ipv4, community: no-advertise", "192.0.2.0/24", false},
  };
  for (const Row& row : rows) {
    const std::string match = row.match, prefix = row.prefix;
    CAPTURE(match);
    CAPTURE(prefix);
    RouteAttrs a = route();
    CHECK(eval(accept_if(row.match), row.prefix, a) == (row.accepted ? Verdict::accept : Verdict::reject));
  }
}

TEST_CASE("a route without an AS_PATH") {
  RouteAttrs a = route();
  a.attrs.as_path.reset();
  CHECK(eval(accept_if("as-path-contains: 65002"), "192.0.2.0/24", a) == Verdict::reject);
  CHECK(eval(accept_if("originates-from: 65003"), "192.0.2.0/24", a) == Verdict::reject);
  CHECK(eval(accept_if("as-path-length: {max: 0}"), "192.0.2.0/24", a) == Verdict::accept);
}

TEST_CASE("prefix ranges at their ge/le boundaries") {
  struct Row {
    const char* range;
    const char* prefix;
    bool matches;
  };
  const Row rows[] = {
      // exact
      {"10.0.0.0/16", "10.0.0.0/16", true},
      {"10.0.0.0/16", "10.0.0.0/17", false},
      {"10.0.0.0/16", "10.0.0.0/15", false},
      {"10.0.0.0/16", "10.1.0.0/16", false},
      // le only: [16, 24]
      {"10.0.0.0/16 le 24", "10.0.0.0/16", true},
      {"10.0.0.0/16 le 24", "10.0.255.0/24", true},
      {"10.0.0.0/16 le 24", "10.0.0.0/25", false},
      {"10.0.0.0/16 le 24", "10.1.0.0/24", false},
      // ge only: [24, 32]
      {"10.0.0.0/16 ge 24", "10.0.0.0/23", false},
      {"10.0.0.0/16 ge 24", "10.0.1.0/24", true},
      {"10.0.0.0/16 ge 24", "10.0.1.1/32", true},
      // both: [20, 24]
      {"10.0.0.0/16 ge 20 le 24", "10.0.0.0/19", false},
      {"10.0.0.0/16 ge 20 le 24", "10.0.16.0/20", true},
      {"10.0.0.0/16 ge 20 le 24", "10.0.3.0/24", true},
      {"10.0.0.0/16 ge 20 le 24", "10.0.3.0/25", false},
      // default route, any length
      {"0.0.0.0/0 le 32", "203.0.113.7/32", true},
      {"0.0.0.0/0", "203.0.113.0/24", false},
      // IPv6: [56, 64]
      {"2001:db8:44::/48 ge 56 le 64", "2001:db8:44::/55", false},
      {"2001:db8:44::/48 ge 56 le 64", "2001:db8:44:100::/56", true},
      {"2001:db8:44::/48 ge 56 le 64", "2001:db8:44:ff01::/64", true},
      {"2001:db8:44::/48 ge 56 le 64", "2001:db8:44::/65", false},
      {"2001:db8:44::/48 ge 56 le 64", "2001:db8:45::/56", false},
      {"2001:db8:44::/48 ge 128", "2001:db8:44::1/128", true},
      // families never mix
      {"::/0 le 128", "10.0.0.0/8", false},
  };
  for (const Row& row : rows) {
    const std::string range = row.range, prefix = row.prefix;
    CAPTURE(range);
    CAPTURE(prefix);
    RouteAttrs a = route();
    const std::string yaml = std::string("prefix-sets: {s: [\"") + row.range +
                             "\"]}\npolicies: {p: [{match: {prefix-set: s}}]}\n";
    CHECK(eval(yaml, row.prefix, a) == (row.matches ? Verdict::accept : Verdict::reject));
  }
}

TEST_CASE("set actions") {
  auto run = [](const std::string& set, RouteAttrs a = route(), PolicyContext c = ctx()) {
    const std::string yaml = "policies: {p: [{set: {" + set + "}}]}\n";
    REQUIRE(eval(yaml, "192.0.2.0/24", a, c) == Verdict::accept);
    return a;
  };
  SUBCASE("local-pref and med") {
    RouteAttrs a = run("local-pref: 200, med: 7");
    CHECK(a.attrs.local_pref == 200u);
    CHECK(a.attrs.med == 7u);
  }
  SUBCASE("origin") { CHECK(run("origin: incomplete").attrs.origin == wire::Origin::incomplete); }
  SUBCASE("communities-add appends once, in order") {
    RouteAttrs a = run("communities-add: [\"64512:200\", \"65001:10\", graceful-shutdown]");
    CHECK(a.attrs.communities ==
          std::vector<uint32_t>{comm(65001, 10), wire::community::no_export, comm(64512, 200), wire::community::graceful_shutdown});
  }
  SUBCASE("communities-remove, exact and wildcard") {
    CHECK(run("communities-remove: no-export").attrs.communities == std::vector<uint32_t>{comm(65001, 10)});
    RouteAttrs base = route();
    base.attrs.communities.push_back(comm(65001, 20));
    base.attrs.communities.push_back(comm(65002, 20));
    CHECK(run("communities-remove: \"65001:*\"", base).attrs.communities ==
          std::vector<uint32_t>{wire::community::no_export, comm(65002, 20)});
    CHECK(run("communities-remove: \"*:20\"", base).attrs.communities ==
          std::vector<uint32_t>{comm(65001, 10), wire::community::no_export});
  }
  SUBCASE("remove runs before add") {
    RouteAttrs a = run("communities-add: \"65001:10\", communities-remove: \"65001:*\"");
    CHECK(a.attrs.communities == std::vector<uint32_t>{wire::community::no_export, comm(65001, 10)});
  }
  SUBCASE("large communities") {
    RouteAttrs a = run("large-communities-add: [\"64512:5:6\", \"65001:1:2\"], large-communities-remove: \"65001:1:2\"");
    CHECK(a.attrs.large_communities == std::vector<wire::LargeCommunity>{{64512, 5, 6}, {65001, 1, 2}});
    CHECK(run("large-communities-remove: \"65001:1:2\"").attrs.large_communities.empty());
  }
  SUBCASE("as-path-prepend with the local AS") {
    RouteAttrs a = run("as-path-prepend: 2");
    CHECK(a.attrs.as_path->to_string() == "64512 64512 65001 65002 65003");
  }
  SUBCASE("as-path-prepend with a given AS, before a SET") {
    RouteAttrs base = route();
    base.attrs.as_path = wire::AsPath{{{wire::AsSegmentType::set, {65010, 65011}}}};
    RouteAttrs a = run("as-path-prepend: {asn: 65100, count: 3}", base);
    CHECK(a.attrs.as_path->to_string() == "65100 65100 65100 {65010 65011}");
    CHECK(a.attrs.as_path->length() == 4);
  }
  SUBCASE("as-path-prepend onto no AS_PATH") {
    RouteAttrs base = route();
    base.attrs.as_path.reset();
    CHECK(run("as-path-prepend: 1", base).attrs.as_path->to_string() == "64512");
  }
  SUBCASE("next-hop address, IPv4 and IPv6") {
    RouteAttrs a = run("next-hop: 198.51.100.9");
    CHECK(a.next_hop == ip("198.51.100.9"));
    CHECK(a.attrs.next_hop == ip("198.51.100.9"));
    RouteAttrs base = route();
    base.link_local_next_hop = ip("fe80::1");
    RouteAttrs b = run("next-hop: \"2001:db8::9\"", base);
    CHECK(b.next_hop == ip("2001:db8::9"));
    CHECK_FALSE(b.attrs.next_hop.has_value());
    CHECK_FALSE(b.link_local_next_hop.has_value());
  }
  SUBCASE("next-hop self") { CHECK(run("next-hop: self").next_hop == ip("10.0.0.11")); }
}

TEST_CASE("a change that cannot be made rejects the route") {
  RouteAttrs a = route();
  PolicyContext c = ctx();
  c.self_next_hop.reset();
  CHECK(eval("policies: {p: [{set: {next-hop: self}}]}", "192.0.2.0/24", a, c) == Verdict::reject);
  c = ctx();
  c.local_as = 0;
  a = route();
  CHECK(eval("policies: {p: [{set: {as-path-prepend: 1}}]}", "192.0.2.0/24", a, c) == Verdict::reject);
  a = route();
  CHECK(eval("policies: {p: [{set: {as-path-prepend: {asn: 65100}}}]}", "192.0.2.0/24", a, c) == Verdict::accept);
}

TEST_CASE("next chains; later rules see the changes") {
  const char* yaml = R"(policies:
  p:
    - match: {family: ipv4}
      set: {communities-add: ["64512:1"], local-pref: 50}
      action: next
    - match: {community: "64512:1"}
      set: {med: 5}
      action: accept
    - action: reject
)";
  RouteAttrs a = route();
  CHECK(eval(yaml, "192.0.2.0/24", a) == Verdict::accept);
  CHECK(a.attrs.local_pref == 50u);
  CHECK(a.attrs.med == 5u);
  RouteAttrs b = route();
  CHECK(eval(yaml, "2001:db8::/32", b) == Verdict::reject);  // first rule skipped, so no 64512:1
}

TEST_CASE("first match wins") {
  const char* yaml = R"(policies:
  p:
    - {match: {community: no-export}, set: {local-pref: 10}, action: accept}
    - {match: {family: ipv4}, set: {local-pref: 20}, action: accept}
    - {match: {family: ipv4}, action: reject}
)";
  RouteAttrs a = route();
  CHECK(eval(yaml, "192.0.2.0/24", a) == Verdict::accept);
  CHECK(a.attrs.local_pref == 10u);
  RouteAttrs b = route();
  b.attrs.communities.clear();
  CHECK(eval(yaml, "192.0.2.0/24", b) == Verdict::accept);
  CHECK(b.attrs.local_pref == 20u);
  RouteAttrs c = route();
  const char* reject_first = "policies: {p: [{match: {family: ipv4}, action: reject}, {action: accept}]}";
  CHECK(eval(reject_first, "192.0.2.0/24", c) == Verdict::reject);
}

TEST_CASE("no rule decides: implicit reject") {
  RouteAttrs a = route();
  CHECK(eval("policies: {p: []}", "192.0.2.0/24", a) == Verdict::reject);
  CHECK(eval("policies: {p: [{match: {family: ipv6}}]}", "192.0.2.0/24", a) == Verdict::reject);
  CHECK(eval("policies: {p: [{action: next, set: {med: 1}}]}", "192.0.2.0/24", a) == Verdict::reject);
  CHECK(eval("policies: {p: [{action: next}, {}]}", "192.0.2.0/24", a) == Verdict::accept);  // default action
}

TEST_CASE("the design.md example compiles") {
  PolicySet s = compile_ok(R"(router: {asn: 64512}
prefix-sets:
  pods: ["10.244.0.0/16 le 26", "2001:db8:44::/48 ge 56 le 64", "192.0.2.0/24"]
policies:
  to-tor:
    - match: {prefix-set: pods}
      set: {communities-add: ["64512:200"], local-pref: 200}
      action: accept
    - action: reject
)");
  const Policy* p = s.find("to-tor");
  REQUIRE(p != nullptr);
  CHECK(s.find("to-spine") == nullptr);
  REQUIRE(p->rules().size() == 2);
  CHECK(p->rules()[0].line == 6);
  CHECK(p->rules()[1].line == 9);
  const std::vector<PrefixRange> want = {{pfx("10.244.0.0/16"), 16, 26},
                                         {pfx("2001:db8:44::/48"), 56, 64},
                                         {pfx("192.0.2.0/24"), 24, 24}};
  CHECK(p->rules()[0].match.prefix_set == want);
  CHECK(p->rules()[1].action == RuleAction::reject);
  CHECK(compile_ok("log: {level: info}\n").policies.empty());
}

TEST_CASE("config mistakes name file, line and column") {
  struct Row {
    const char* yaml;
    const char* where;  // "file:line:col"
    const char* says;   // a substring of the message
  };
  const Row rows[] = {
      {"prefix-sets:\n  a: [\"10.0.0.0/33\"]\n", "petrel.yaml:2:7", "bad prefix \"10.0.0.0/33\""},
      {"prefix-sets:\n  a:\n    - 10.0.0.1/8\n", "petrel.yaml:3:7", "host bits set (did you mean 10.0.0.0/8?)"},
      {"prefix-sets:\n  a: [\"10.0.0.0/16 ge 8\"]\n", "petrel.yaml:2:7", "ge 8 is shorter than the prefix length 16"},
      {"prefix-sets:\n  a: [\"10.0.0.0/16 ge 24 le 20\"]\n", "petrel.yaml:2:7", "le 20 is less than ge 24"},
      {"prefix-sets:\n  a: [\"10.0.0.0/16 le 33\"]\n", "petrel.yaml:2:7", "le 33 exceeds 32"},
      {"prefix-sets:\n  a: [\"2001:db8::/32 ge 129\"]\n", "petrel.yaml:2:7", "ge 129 exceeds 128"},
      {"prefix-sets:\n  a: [\"10.0.0.0/16 lt 24\"]\n", "petrel.yaml:2:7", "expected \"ge\" or \"le\""},
      {"prefix-sets:\n  a: \"10.0.0.0/8\"\n", "petrel.yaml:2:6", "prefix-set \"a\" must be a list"},
      {"policies:\n  p:\n    - match: {prefix-set: podz}\n", "petrel.yaml:3:27", "unknown prefix-set \"podz\""},
      {"policies:\n  p:\n    - match: {comunity: no-export}\n", "petrel.yaml:3:15", "unknown match key \"comunity\""},
      {"policies:\n  p:\n    - set: {local-pref: 100}\n      acton: accept\n", "petrel.yaml:4:7", "unknown rule key \"acton\""},
      {"policies:\n  p:\n    - action: allow\n", "petrel.yaml:3:15", "unknown action \"allow\""},
      {"policies:\n  p:\n    - match: {community: \"65536:1\"}\n", "petrel.yaml:3:26", "bad community \"65536:1\""},
      {"policies:\n  p:\n    - set: {communities-add: [\"65001:*\"]}\n", "petrel.yaml:3:31", "bad community \"65001:*\""},
      {"policies:\n  p:\n    - match: {large-community: \"1:2\"}\n", "petrel.yaml:3:32", "bad large community \"1:2\""},
      {"policies:\n  p:\n    - set: {local-pref: [100]}\n", "petrel.yaml:3:25", "local-pref must be a single value, got a list"},
      {"policies:\n  p:\n    - set: {med: -1}\n", "petrel.yaml:3:18", "med must be a number"},
      {"policies:\n  p:\n    - set: {next-hop: 10.0.0.256}\n", "petrel.yaml:3:23", "bad next-hop \"10.0.0.256\""},
      {"policies:\n  p:\n    - match: {as-path-length: {min: 5, max: 2}}\n", "petrel.yaml:3:31", "min 5 is greater than max 2"},
      {"policies:\n  p:\n    - match: {family: ipv5}\n", "petrel.yaml:3:23", "unknown family \"ipv5\""},
      {"policies:\n  p: {action: accept}\n", "petrel.yaml:2:6", "policy \"p\" must be a list, got a map"},
      {"policies:\n  p:\n    - set: {as-path-prepend: 0}\n", "petrel.yaml:3:30", "count must be from 1 to 255"},
      {"policies:\n  p:\n    - match: {peer: 10.0.0.0/33}\n", "petrel.yaml:3:21", "bad peer prefix"},
      {"policies:\n  p:\n    - match: {prefix: []}\n", "petrel.yaml:3:23", "must not be an empty list"},
      {"policies:\n  p: []\n  p: []\n", "petrel.yaml:3:3", "duplicate key \"p\""},
      {"- just\n- a list\n", "petrel.yaml:1:1", "the config document must be a map"},
  };
  for (const Row& row : rows) {
    const std::string yaml = row.yaml;
    CAPTURE(yaml);
    const ConfigError e = compile_err(row.yaml);
    const std::string got = e.to_string();
    CAPTURE(got);
    CHECK(e.file == "petrel.yaml");
    CHECK(e.to_string().rfind(std::string(row.where) + ": ", 0) == 0);
    CHECK(e.to_string().find(row.says) != std::string::npos);
  }
}

TEST_CASE("ConfigError::to_string and YAML syntax errors") {
  CHECK(ConfigError{"a.yaml", 3, 14, "oops"}.to_string() == "a.yaml:3:14: oops");
  auto r = compile_policies_text("policies:\n  p: [\n", "bad.yaml");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().file == "bad.yaml");
  CHECK(r.error().line >= 2);
  auto ok = compile_policies_text("policies: {p: [{action: reject}]}", "ok.yaml");
  REQUIRE(ok.has_value());
  CHECK(ok->find("p") != nullptr);
}
