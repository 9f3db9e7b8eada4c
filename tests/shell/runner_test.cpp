// What petrelc does with one line: expansion, local commands, rendering, the JSON
// extension and its detection, and the exit status rules. The server side is a recorded
// transcript per request (what BIRD 2.0.12, or the JSON contract, answers).
#include "shell/runner.hpp"

#include "shell/control_client.hpp"

#include <doctest/doctest.h>

#include <cerrno>
#include <map>
#include <string>
#include <vector>

using namespace petrel::shell;

namespace {

struct ScriptedServer {
  std::map<std::string, std::vector<std::string>> answers;  // request -> reply lines
  std::vector<std::string> requests;
  std::vector<std::string> parse_error = {"9001 syntax error, unexpected CF_SYM_UNDEFINED"};

  SendCommand sender() {
    return [this](std::string_view line) -> boost::system::result<Reply, std::string> {
      requests.emplace_back(line);
      auto it = answers.find(std::string(line));
      const auto& lines = it == answers.end() ? parse_error : it->second;
      ReplyAssembler a;
      for (const auto& l : lines) a.feed(l);
      return a.take();
    };
  }
};

const CommandTable& table() { return CommandTable::petrel(); }

SendCommand unreachable() {
  return [](std::string_view) -> boost::system::result<Reply, std::string> {
    return std::string("cannot connect to /run/petrel/petrel.ctl: no such file (is petreld running?)");
  };
}

}  // namespace

TEST_CASE("a line is expanded, sent once, and its reply printed") {
  ScriptedServer s;
  s.answers["show protocols"] = {"2002-Name       Proto", "1002-tor1       BGP", " node2      BGP", "0000 "};
  Outcome o = run_line(table(), "s p", false, s.sender());
  CHECK(s.requests == std::vector<std::string>{"show protocols"});
  CHECK(o.out == "Name       Proto\ntor1       BGP\nnode2      BGP\n");
  CHECK(o.err.empty());
  CHECK(o.status == 0);
  CHECK(o.sent);
}

TEST_CASE("exit status: server errors 1, local rejections 2, nothing sent for them") {
  ScriptedServer s;
  s.answers["show protocols nosuch"] = {"8003 No protocols match"};
  Outcome err = run_line(table(), "s p nosuch", false, s.sender());
  CHECK(err.status == 1);
  CHECK(err.err == "No protocols match\n");
  CHECK(err.out.empty());

  s.requests.clear();
  Outcome rejected = run_line(table(), "re tor1", false, s.sender());
  CHECK(rejected.status == 2);
  CHECK(rejected.err == "re tor1\n^\nambiguous word \"re\" at the start: it may be reload, restart\n");
  CHECK(s.requests.empty());
  CHECK_FALSE(rejected.sent);

  Outcome down = run_line(table(), "show status", false, unreachable());
  CHECK(down.status == 1);
  CHECK(down.err == "petrelc: cannot connect to /run/petrel/petrel.ctl: no such file (is petreld running?)\n");
}

TEST_CASE("help, quit and blank lines stay local") {
  ScriptedServer s;
  Outcome help = run_line(table(), "help", false, s.sender());
  CHECK(help.out.starts_with("Commands (words may be abbreviated"));
  CHECK(help.out.find("show route ... for ADDR|PREFIX") != std::string::npos);
  Outcome topic = run_line(table(), "help show bfd", false, s.sender());
  CHECK(topic.out == "  sessions    BFD sessions and their state\n");
  Outcome quit = run_line(table(), "exit", false, s.sender());
  CHECK(quit.quit);
  Outcome blank = run_line(table(), "", false, s.sender());
  CHECK(blank.out.empty());
  CHECK(blank.status == 0);
  CHECK(s.requests.empty());
}

TEST_CASE("--json sends \"json COMMAND\" and prints the document") {
  ScriptedServer s;
  s.answers["json show protocols"] = {"1100-{\"protocols\":", " [{\"name\": \"tor1\"}]}", "0000 "};
  Outcome o = run_line(table(), "s p", true, s.sender());
  CHECK(s.requests == std::vector<std::string>{"json show protocols"});
  CHECK(o.status == 0);
  CHECK(o.out == "{\n  \"protocols\": [\n    {\n      \"name\": \"tor1\"\n    }\n  ]\n}\n");

  s.answers["json show route for 10.9.9.9"] = {"8001 Network not found"};
  Outcome nf = run_line(table(), "s r for 10.9.9.9", true, s.sender());
  CHECK(nf.status == 1);
  CHECK(nf.err == "Network not found\n");

  s.answers["json show status"] = {"1100-{\"broken\": ", "0000 "};
  Outcome broken = run_line(table(), "s st", true, s.sender());
  CHECK(broken.status == 1);
  CHECK(broken.err.starts_with("petrelc: \"json show status\": the server sent invalid JSON"));
}

TEST_CASE("--json against a server without the extension says so") {
  ScriptedServer bird;  // BIRD: parse error for "json ...", fine without it
  bird.answers["show protocols"] = {"2002-Name       Proto", "1002-device1    Device", "0000 "};
  Outcome o = run_line(table(), "show protocols", true, bird.sender());
  CHECK(bird.requests == std::vector<std::string>{"json show protocols", "show protocols"});
  CHECK(o.status == 1);
  CHECK(o.out.empty());
  CHECK(o.err ==
        "petrelc: the server does not speak Petrel's JSON extension (it answered \"json show protocols\" with: "
        "syntax error, unexpected CF_SYM_UNDEFINED); run the command without --json for text output\n");

  ScriptedServer both_fail;  // a parse error of the command itself is reported as such
  Outcome p = run_line(table(), "show k8s", true, both_fail.sender());
  CHECK(both_fail.requests == std::vector<std::string>{"json show k8s", "show k8s"});
  CHECK(p.status == 1);
  CHECK(p.err == "syntax error, unexpected CF_SYM_UNDEFINED\n");
}

TEST_CASE("--json on an action: one JSON document, never sent twice") {
  ScriptedServer s;
  s.answers["json disable tor1"] = {
      "1100 {\"result\":\"ok\",\"code\":9,\"message\":\"tor1: disabled\",\"lines\":[{\"code\":9,\"text\":\"tor1: disabled\"}]}",
      "0000 "};
  Outcome o = run_line(table(), "disable tor1", true, s.sender());
  CHECK(s.requests == std::vector<std::string>{"json disable tor1"});
  CHECK(o.status == 0);
  CHECK(o.out.starts_with("{\n  \"result\": \"ok\",\n  \"code\": 9,\n  \"message\": \"tor1: disabled\",\n"));

  s.answers["json drain stop"] = {"8001 drain: not available"};
  Outcome err = run_line(table(), "drain stop", true, s.sender());
  CHECK(err.status == 1);
  CHECK(err.err == "drain: not available\n");
  CHECK(s.requests.back() == "json drain stop");

  // A server without the extension: probed with "json show status", the action is not run.
  ScriptedServer bird;
  bird.answers["disable tor1"] = {"0009 tor1: disabled"};
  Outcome b = run_line(table(), "disable tor1", true, bird.sender());
  CHECK(bird.requests == std::vector<std::string>{"json disable tor1", "json show status"});
  CHECK(b.status == 1);
  CHECK(b.err ==
        "petrelc: the server does not speak Petrel's JSON extension (it answered \"json disable tor1\" with: "
        "syntax error, unexpected CF_SYM_UNDEFINED); nothing was done; run the command without --json\n");

  // A server with the extension that refuses the command itself: its error.
  ScriptedServer petrel;
  petrel.answers["json show status"] = {"1100 {}", "0000 "};
  petrel.answers["json drain"] = {"9001 drain: unexpected 'x'"};
  Outcome p = run_line(table(), "drain", true, petrel.sender());
  CHECK(petrel.requests == std::vector<std::string>{"json drain", "json show status"});
  CHECK(p.status == 1);
  CHECK(p.err == "drain: unexpected 'x'\n");
}

TEST_CASE("connection errors say what to do") {
  const std::string sock = "/run/petrel/petrel.ctl";
  CHECK(connect_error_message(sock, ENOENT) ==
        "cannot connect to /run/petrel/petrel.ctl: no such file (is petreld running?)");
  CHECK(connect_error_message(sock, ECONNREFUSED) ==
        "cannot connect to /run/petrel/petrel.ctl: connection refused (is petreld running?)");
  CHECK(connect_error_message(sock, EACCES) ==
        "cannot connect to /run/petrel/petrel.ctl: permission denied (the socket is mode 0660; are you in its "
        "group?)");
  auto missing = ControlClient::connect("/nonexistent/pshl-test.ctl");
  REQUIRE_FALSE((missing).has_value());
  CHECK(missing.error() == "cannot connect to /nonexistent/pshl-test.ctl: no such file (is petreld running?)");
  auto too_long = ControlClient::connect(std::string(200, 'x'));
  REQUIRE_FALSE((too_long).has_value());
  CHECK(too_long.error().find("longer than 107 bytes") != std::string::npos);
}
