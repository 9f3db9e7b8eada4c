// The control protocol: BIRD's reply framing, the command language (BIRD's
// commands with unique-prefix abbreviations, Petrel's additions), and the table
// layouts compared with what BIRD 2.0.12 prints.
#include <doctest/doctest.h>

#include <chrono>

#include "daemon/bird_format.hpp"
#include "daemon/control_command.hpp"
#include "daemon/control_reply.hpp"

using namespace petrel;
using namespace petrel::daemon;

TEST_CASE("reply framing: DDDD- first, continuation for the same code, DDDD last") {
  Reply r;
  r.line(1000, "BIRD 2.0.12").line(1011, "Router ID is 10.9.0.1").line(1011, "Hostname is vm");
  r.end(13, "Daemon is up and running");
  CHECK(r.encode() ==
        "1000-BIRD 2.0.12\n1011-Router ID is 10.9.0.1\n Hostname is vm\n0013 Daemon is up and running\n");
  // Without an explicit end: "0000 " closes the reply, as BIRD does after tables.
  Reply t;
  t.line(2002, "Name").line(1002, "a").line(1002, "b");
  CHECK(t.encode() == "2002-Name\n1002-a\n b\n0000 \n");
  CHECK(Reply::error(9001, "syntax error").encode() == "9001 syntax error\n");
  CHECK(Reply::error(9001, "x").is_error());
  // A newline inside a text never breaks the framing.
  Reply n;
  n.end(8001, "two\nlines");
  CHECK(n.encode() == "8001 two lines\n");
}

TEST_CASE("commands: BIRD's forms and unique abbreviations") {
  auto c = parse_command("show protocols all tor1");
  REQUIRE(c.has_value());
  CHECK(c->verb == Command::Verb::show_protocols);
  CHECK(c->all);
  CHECK(c->name == "tor1");
  c = parse_command("s p");
  REQUIRE(c.has_value());
  CHECK(c->verb == Command::Verb::show_protocols);
  c = parse_command("sh ro fo 10.1.2.3 al");
  REQUIRE(c.has_value());
  CHECK(c->verb == Command::Verb::show_route);
  CHECK(c->for_address == IpAddress::parse("10.1.2.3"));
  CHECK(c->all);
  c = parse_command("show route 10.60.0.0/24 protocol tor1 count");
  REQUIRE(c.has_value());
  CHECK(c->prefix == Prefix::parse("10.60.0.0/24"));
  CHECK(c->protocol == "tor1");
  CHECK(c->count);
  c = parse_command("show route export tor1");
  REQUIRE(c.has_value());
  CHECK(c->export_peer == "tor1");
  c = parse_command("show route where bgp_community ~ [(65002,7), (64512, 100)]");
  REQUIRE(c.has_value());
  REQUIRE(c->where.has_value());
  CHECK(c->where->communities == std::vector<uint32_t>{65002u << 16 | 7, 64512u << 16 | 100});
  c = parse_command("show route where (1,2,3) ~ bgp_large_community");
  REQUIRE(c.has_value());
  CHECK(c->where->large_communities.size() == 1);
  c = parse_command("disable tor1 \"maintenance window\"");
  REQUIRE(c.has_value());
  CHECK(c->verb == Command::Verb::disable);
  CHECK(c->message == "maintenance window");
  CHECK(c->changes_state());
  c = parse_command("reload in tor1");
  REQUIRE(c.has_value());
  CHECK(c->reload == Command::Reload::in);
  c = parse_command("reload tor1");
  REQUIRE(c.has_value());
  CHECK(c->reload == Command::Reload::both);
  c = parse_command("reload in");  // a peer called "in"
  REQUIRE(c.has_value());
  CHECK(c->name == "in");
  c = parse_command("configure timeout 30");
  REQUIRE(c.has_value());
  CHECK(c->configure == Command::Configure::timeout);
  CHECK(c->timeout_seconds == 30);
  c = parse_command("configure check \"/etc/petrel/new.yaml\"");
  REQUIRE(c.has_value());
  CHECK(c->configure == Command::Configure::check);
  CHECK(c->file == "/etc/petrel/new.yaml");
  CHECK_FALSE(c->changes_state());
  c = parse_command("json show protocols");
  REQUIRE(c.has_value());
  CHECK(c->json);
  c = parse_command("show counters");
  REQUIRE(c.has_value());
  CHECK(c->verb == Command::Verb::show_counters);
  c = parse_command("s pe c");
  REQUIRE(c.has_value());
  CHECK(c->verb == Command::Verb::show_counters);
  c = parse_command("down");
  REQUIRE(c.has_value());
  CHECK(c->verb == Command::Verb::down);
  c = parse_command("show route history 10.244.3.0/24");
  REQUIRE(c.has_value());
  CHECK(c->verb == Command::Verb::show_route_history);
  CHECK(c->prefix == Prefix::parse("10.244.3.0/24"));
  CHECK_FALSE(c->changes_state());
  c = parse_command("json s r h 2001:db8::/32");
  REQUIRE(c.has_value());
  CHECK(c->verb == Command::Verb::show_route_history);
  CHECK(c->json);
  c = parse_command("mrt dump rib \"/tmp/rib.mrt\"");
  REQUIRE(c.has_value());
  CHECK(c->verb == Command::Verb::mrt_dump);
  CHECK(c->mrt == Command::Mrt::rib);
  CHECK(c->file == "/tmp/rib.mrt");
  CHECK(c->changes_state());  // a read-only socket refuses it: it writes a file
  c = parse_command("mrt d h /var/tmp/journal.mrt");
  REQUIRE(c.has_value());
  CHECK(c->mrt == Command::Mrt::history);
  CHECK(c->file == "/var/tmp/journal.mrt");
}

TEST_CASE("drain commands: drain, drain stop, drain and down [SECONDS]; all change state") {
  auto c = parse_command("drain");
  REQUIRE(c.has_value());
  CHECK(c->verb == Command::Verb::drain);
  CHECK(c->drain == Command::Drain::start);
  CHECK(c->changes_state());
  c = parse_command("dr st");
  REQUIRE(c.has_value());
  CHECK(c->drain == Command::Drain::stop);
  c = parse_command("drain and down");
  REQUIRE(c.has_value());
  CHECK(c->drain == Command::Drain::and_down);
  CHECK(c->timeout_seconds == Command::kDrainAndDownSeconds);
  c = parse_command("dr a d 2");
  REQUIRE(c.has_value());
  CHECK(c->drain == Command::Drain::and_down);
  CHECK(c->timeout_seconds == 2u);
  c = parse_command("drain and down 0");  // drain, then down at once (still after the UPDATEs went out)
  REQUIRE(c.has_value());
  CHECK(c->timeout_seconds == 0u);
  c = parse_command("dow");
  REQUIRE(c.has_value());
  CHECK(c->verb == Command::Verb::down);  // `down` keeps its abbreviation
  CHECK(parse_command("d").error().find("'d' is ambiguous") != std::string::npos);
}

TEST_CASE("show status says Draining while draining (text and JSON)") {
  StatusInfo s;
  s.version = "test";
  s.draining = true;
  const std::string text = show_status(s).encode();
  CHECK(text.find("Draining: routes sent with GRACEFUL_SHUTDOWN (RFC 8326)") != std::string::npos);
  CHECK(text.find("0013 Daemon is up and running") != std::string::npos);  // birdc's last line unchanged
  CHECK(status_json(s).as_object().at("draining").as_bool());
  s.draining = false;
  CHECK(show_status(s).encode().find("Draining") == std::string::npos);
  CHECK_FALSE(status_json(s).as_object().at("draining").as_bool());
}

TEST_CASE("show k8s: the Kubernetes view, abbreviated, as JSON, read-only") {
  for (const char* line : {"show k8s", "s k", "sh k8", "show k8s"}) {
    CAPTURE(line);
    auto c = parse_command(line);
    REQUIRE(c.has_value());
    CHECK(c->verb == Command::Verb::show_k8s);
    CHECK_FALSE(c->json);
    CHECK_FALSE(c->changes_state());  // allowed on the read-only socket
  }
  auto c = parse_command("json show k8s");
  REQUIRE(c.has_value());
  CHECK(c->verb == Command::Verb::show_k8s);
  CHECK(c->json);
  c = parse_command("show k8s node-a");
  REQUIRE_FALSE(c.has_value());
  CHECK(c.error().find("unexpected 'node-a'") != std::string::npos);
  // `show` lists it among what it expects.
  c = parse_command("show");
  REQUIRE_FALSE(c.has_value());
  CHECK(c.error().find("k8s") != std::string::npos);
}

TEST_CASE("commands: precise errors, never a crash") {
  const char* bad[][2] = {
      {"", "empty command"},
      {"frobnicate", "unknown command 'frobnicate'"},
      {"re tor1", "'re' is ambiguous"},
      {"show", "show: expected"},
      {"show routes", "show: unknown 'routes'"},
      {"show route for banana", "show route for: not an address or prefix: banana"},
      {"show route 10.0.0.0/8 frob", "show route: unexpected 'frob'"},
      {"show route 10.0.0.1/8", "has host bits set (did you mean 10.0.0.0/8?)"},
      {"show route where bgp_path ~ [1]", "where: only bgp_community and bgp_large_community"},
      {"show route where bgp_community ~ [(70000,1)]", "A, B <= 65535"},
      {"show route where bgp_community ~ [(1,2", "where: expected a set"},
      {"show route where bgp_community ~ [(1,2]", "where: unclosed community"},
      {"disable", "disable: expected a protocol name"},
      {"configure timeout", "configure timeout: expected a number of seconds"},
      {"configure maybe", "configure: unexpected 'maybe'"},
      {"show protocols tor1 extra", "unexpected 'extra' at the end"},
      {"disable \"unterminated", "unterminated quoted text"},
      {"json", "json: expected a command"},
      {"show fib 10.0.0.1/8", "show fib: not a prefix"},
      {"show route history", "show route history: expected a prefix"},
      {"show route history 10.0.0.1/8", "show route history: 10.0.0.1/8 has host bits set (did you mean 10.0.0.0/8?)"},
      {"show route history banana", "show route history: not a prefix: banana"},
      {"show route history 10.0.0.0/8 all", "unexpected 'all' at the end"},
      {"mrt", "mrt: expected dump"},
      {"mrt dump", "mrt dump: expected rib | history"},
      {"mrt dump rib", "mrt dump rib: expected a file name"},
      {"mrt dump history rel/path.mrt", "mrt dump history: the file must be an absolute path"},
      {"drain later", "drain: unexpected 'later' (expected stop | and down [SECONDS])"},
      {"drain and", "drain and: expected down"},
      {"drain and up", "drain and: expected down"},
      {"drain and down soon", "drain and down: expected a number of seconds (0 to 3600), not 'soon'"},
      {"drain and down 99999", "drain and down: expected a number of seconds"},
      {"drain and down -1", "drain and down: expected a number of seconds"},
      {"drain stop now", "unexpected 'now' at the end"},
      {"show bfd", "show bfd: expected sessions"},
      {"show bfd peers", "show bfd: expected sessions"},
  };
  for (const auto& [input, want] : bad) {
    const std::string text = input;
    CAPTURE(text);
    auto c = parse_command(input);
    REQUIRE_FALSE(c.has_value());
    CAPTURE(c.error());
    CHECK(c.error().find(want) != std::string::npos);
  }
}

TEST_CASE("show protocols: BIRD's columns, as a running BIRD 2.0.12 printed them") {
  ProtocolRow p;
  p.name = "tor1";
  p.proto = "BGP";
  p.table = "---";
  p.state = "up";
  p.since = std::chrono::system_clock::now();
  p.info = "Established   ";
  p.details = {"BGP state:          Established", "  Neighbor address: 10.9.0.2", "Channel ipv4"};
  const std::string since = format_since(p.since);
  const Reply r = show_protocols({p}, /*all=*/true);
  // BIRD: "1002-tor1       BGP        ---        up     2026-11-21 20:31:23  Established   "
  CHECK(r.encode() == "2002-Name       Proto      Table      State  Since         Info\n"
                      "1002-tor1       BGP        ---        up     " + since + "  Established   \n"
                      "1006-  BGP state:          Established\n"
                      "     Neighbor address: 10.9.0.2\n"
                      "   Channel ipv4\n"
                      " \n"
                      "0000 \n");
}

TEST_CASE("show bfd sessions: parsed in full and abbreviated") {
  for (const char* line : {"show bfd sessions", "s b s", "sh bf sess", "json show bfd sessions"}) {
    CAPTURE(line);
    auto c = parse_command(line);
    REQUIRE(c.has_value());
    CHECK(c->verb == Command::Verb::show_bfd_sessions);
    CHECK_FALSE(c->changes_state());
  }
}

TEST_CASE("show bfd sessions: BIRD's columns, as a running BIRD 2.0.12 printed them") {
  BfdRow b;
  b.address = "10.11.0.2";
  b.interface = "br0";
  b.state = "Up";
  b.since = std::chrono::system_clock::now();
  b.interval_s = 0.1;
  b.timeout_s = 0.3;
  BfdRow d = b;
  d.address = "fd00:11::2";
  d.interface = "---";
  d.state = "Down";
  d.interval_s = 1.0;
  d.timeout_s = 0;
  const std::string since = format_since(b.since);
  // BIRD (birdc show bfd sessions in tests/bfd/bfd_netns.sh):
  // "1020-10.11.0.1                 veth0      Up         2026-11-21 23:12:47    0.100    0.300"
  CHECK(show_bfd_sessions("bfd1", {b, d}).encode() ==
        "1020-bfd1:\n"
        " IP address                Interface  State      Since         Interval  Timeout\n"
        " 10.11.0.2                 br0        Up         " + since + "    0.100    0.300\n"
        " fd00:11::2                ---        Down       " + since + "    1.000    0.000\n"
        "0000 \n");
}

TEST_CASE("show route: BIRD's route lines and attribute lines") {
  RouteRow row;
  row.prefix = "10.60.0.0/24";
  row.proto = "tor1";
  row.when = std::chrono::system_clock::now();
  row.primary = true;
  row.info = " [AS65002i]";
  row.vias = {"via 10.9.0.2 on v0"};
  row.type_detail = "BGP univ";
  row.attributes = {"BGP.origin: IGP", "BGP.as_path: 65002"};
  const std::string t = format_route_time(row.when);
  RouteTable table{"master4", {row}, 1};
  // BIRD: " 10.60.0.0/24         unicast [tor1 20:31:26.230] * (100) [AS65002i]"
  CHECK(show_routes({table}, false, false).encode() ==
        "1007-Table master4:\n 10.60.0.0/24         unicast [tor1 " + t + "] * (100) [AS65002i]\n \tvia 10.9.0.2 on v0\n0000 \n");
  CHECK(show_routes({table}, true, false).encode() ==
        "1007-Table master4:\n 10.60.0.0/24         unicast [tor1 " + t +
            "] * (100) [AS65002i]\n \tvia 10.9.0.2 on v0\n1008-\tType: BGP univ\n1012-\tBGP.origin: IGP\n \tBGP.as_path: 65002\n0000 \n");
  CHECK(show_routes({RouteTable{"master4", {}, 0}}, false, true).encode() == "8001 Network not found\n");
  CHECK(show_route_count({table, RouteTable{"master6", {}, 0}}).encode() ==
        "1007-1 of 1 routes for 1 networks in table master4\n 0 of 0 routes for 0 networks in table master6\n"
        "0014 Total: 1 of 1 routes for 1 networks in 2 tables\n");
}

TEST_CASE("JSON replies: one document in code-1100 lines") {
  const Reply r = json_reply(boost::json::object{{"a", 1}});
  CHECK(r.encode() == "1100-{\"a\":1}\n0000 \n");
}
