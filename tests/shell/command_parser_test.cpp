// Command table, expansion with abbreviations, completion and `?` help.
#include "shell/command_parser.hpp"

#include "tests/shell/golden.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace petrel::shell;

namespace {

const CommandTable& table() { return CommandTable::petrel(); }

std::string expanded(const std::string& line) {
  auto r = expand(table(), line);
  if (!r) return "ERROR: " + r.error().message;
  return r->text;
}

ParseError error_of(const std::string& line) {
  auto r = expand(table(), line);
  REQUIRE_MESSAGE(!r, "expected an error for: " << line);
  return r.error();
}

std::string joined(const std::vector<std::string>& words) {
  std::string s;
  for (const auto& w : words) s += (s.empty() ? "" : " ") + w;
  return s;
}

}  // namespace

TEST_CASE("every command of issue 6 expands, written out and abbreviated") {
  struct Row {
    const char* typed;
    const char* sent;
  };
  const Row rows[] = {
      {"show status", "show status"},
      {"s st", "show status"},
      {"show protocols", "show protocols"},
      {"s p", "show protocols"},  // protocols is preferred over peers, as in birdc
      {"s p a", "show protocols all"},
      {"s p all tor1", "show protocols all tor1"},
      {"s p tor1", "show protocols tor1"},
      {"show route", "show route"},
      {"sh ro fo 10.1.2.3", "show route for 10.1.2.3"},
      {"sh ro fo 10.244.3.0/24", "show route for 10.244.3.0/24"},
      {"s r 10.244.0.0/16 a", "show route 10.244.0.0/16 all"},
      {"s r a p tor1 c", "show route all protocol tor1 count"},
      {"s r c a", "show route count all"},
      {"s r e tor1", "show route export tor1"},
      {"s r t statictab", "show route table statictab"},
      {"s r w bgp_community ~ [(64512, 100)]", "show route where bgp_community ~ [(64512, 100)]"},
      {"s r p tor1 w net ~ 10.0.0.0/8", "show route protocol tor1 where net ~ 10.0.0.0/8"},
      {"show route for 2001:db8::1 all", "show route for 2001:db8::1 all"},
      {"s r h 10.244.3.0/24", "show route history 10.244.3.0/24"},
      {"mrt dump rib /tmp/rib.mrt", "mrt dump rib /tmp/rib.mrt"},
      {"m d h /var/tmp/journal.mrt", "mrt dump history /var/tmp/journal.mrt"},
      {"s i", "show interfaces"},
      {"s m", "show memory"},
      {"s f", "show fib"},
      {"s f 10.244.0.0/16", "show fib 10.244.0.0/16"},
      {"s pe c", "show peers counters"},
      {"s b s", "show bfd sessions"},
      {"s k", "show k8s"},
      {"en tor1", "enable tor1"},
      {"dis tor1", "disable tor1"},
      {"dis tor1 maintenance window", "disable tor1 \"maintenance window\""},
      {"disable tor1 \"already quoted\"", "disable tor1 \"already quoted\""},
      {"disable \"tor*\"", "disable \"tor*\""},
      {"res tor1 say \"hi\"", "restart tor1 \"say 'hi'\""},
      {"rel tor1", "reload tor1"},
      {"rel i tor1", "reload in tor1"},
      {"rel o tor1", "reload out tor1"},
      {"c", "configure"},
      {"conf ch", "configure check"},
      {"c t 30", "configure timeout 30"},
      {"c co", "configure confirm"},
      {"c u", "configure undo"},
      {"dow", "down"},
      {"dr", "drain"},
      {"dr s", "drain stop"},
      {"drain and down", "drain and down"},
      {"dr a d 5", "drain and down 5"},
      {"  show   status  ", "show status"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.typed);
    CHECK(expanded(row.typed) == row.sent);
  }
}

TEST_CASE("show and local commands are classified") {
  auto show = expand(table(), "s p");
  REQUIRE((show).has_value());
  CHECK(show->is_show);
  CHECK_FALSE(show->local);
  auto dis = expand(table(), "dis tor1");
  REQUIRE((dis).has_value());
  CHECK_FALSE(dis->is_show);
  auto help = expand(table(), "he s r");
  REQUIRE((help).has_value());
  CHECK(help->local);
  CHECK(help->local_word == "help");
  CHECK(help->help_topic == "s r");
  auto quit = expand(table(), "q");
  REQUIRE((quit).has_value());
  CHECK(quit->local_word == "quit");
  auto blank = expand(table(), "   ");
  REQUIRE((blank).has_value());
  CHECK(blank->empty);
}

TEST_CASE("errors name the word, its column and the candidates") {
  SUBCASE("ambiguous") {
    auto e = error_of("re tor1");
    CHECK(e.kind == ParseError::Kind::ambiguous_word);
    CHECK(e.column == 0);
    CHECK(joined(e.candidates) == "reload restart");
    CHECK(e.message == "ambiguous word \"re\" at the start: it may be reload, restart");
    auto d = error_of("d");
    CHECK(joined(d.candidates) == "disable down drain");
    auto e2 = error_of("s r for 10.0.0.1 e tor1 x");  // "e" is export here; x is no option
    CHECK(e2.kind == ParseError::Kind::invalid_value);
    CHECK(e2.column == 24);
    CHECK(joined(error_of("e tor1").candidates) == "enable exit");
  }
  SUBCASE("unknown word") {
    auto e = error_of("show bogus");
    CHECK(e.kind == ParseError::Kind::unknown_word);
    CHECK(e.column == 5);
    CHECK(joined(e.candidates) == "bfd fib interfaces k8s memory peers protocols route status");
    CHECK(e.message ==
          "unknown word \"bogus\" after \"show\"; expected bfd, fib, interfaces, k8s, memory, peers, protocols, "
          "route, status");
  }
  SUBCASE("invalid value") {
    auto e = error_of("show route for 10.1.2.300");
    CHECK(e.kind == ParseError::Kind::invalid_value);
    CHECK(e.column == 15);
    auto n = error_of("configure timeout soon");
    CHECK(n.kind == ParseError::Kind::invalid_value);
    CHECK(n.column == 18);
    CHECK(n.message == "\"soon\" after \"configure timeout\" is neither a keyword nor a valid N; expected N");
  }
  SUBCASE("too many words") {
    auto e = error_of("show status now");
    CHECK(e.kind == ParseError::Kind::too_many_words);
    CHECK(e.column == 12);
  }
  SUBCASE("incomplete") {
    auto e = error_of("show route for ");
    CHECK(e.kind == ParseError::Kind::incomplete);
    CHECK(e.column == 14);
    CHECK(e.message == "incomplete command \"show route for\": expected ADDR|PREFIX");
    CHECK(error_of("s b").message == "incomplete command \"show bfd\": expected sessions");
    CHECK(error_of("enable").kind == ParseError::Kind::incomplete);
  }
}

TEST_CASE("error messages point at the word (golden)") {
  const char* lines[] = {"re tor1", "show bogus", "sh ro fo 10.1.2.300", "show status now", "show route for",
                         "s b", "disable", "c t soon", "s r h",
                         "drain and", "drain and down soon", "drain later", "mrt dump rib relative.mrt"};
  std::string out;
  for (const char* line : lines) {
    out += "=== " + std::string(line) + "\n";
    auto r = expand(table(), line);
    REQUIRE(!r);
    out += format_parse_error(line, r.error()) + "\n";
  }
  petrel::test::check_golden("shell/parse_errors.txt", out);
}

TEST_CASE("completion candidates at each position") {
  const std::vector<std::string> names = {"device1", "node2", "tor1", "tor2"};
  SUBCASE("first word") {
    auto c = complete(table(), "", names);
    CHECK(joined(c.candidates) == "configure disable down drain enable exit help mrt quit reload restart show");
    CHECK(c.insertion() == "");
    auto sh = complete(table(), "sh", names);
    CHECK(joined(sh.candidates) == "show");
    CHECK(sh.insertion() == "ow ");
    auto d = complete(table(), "d", names);
    CHECK(joined(d.candidates) == "disable down drain");
    auto re = complete(table(), "re", names);
    CHECK(joined(re.candidates) == "reload restart");
    CHECK(re.insertion() == "");
    auto res = complete(table(), "rel", names);
    CHECK(res.insertion() == "oad ");
  }
  SUBCASE("keywords after abbreviations") {
    CHECK(joined(complete(table(), "show p", names).candidates) == "peers protocols");
    CHECK(complete(table(), "s pr", names).insertion() == "otocols ");
    CHECK(joined(complete(table(), "sh ro ", names).candidates) ==
          "all count export for history protocol table where");
    CHECK(joined(complete(table(), "show route all ", names).candidates) ==
          "all count export for protocol table where");
    CHECK(joined(complete(table(), "configure ", names).candidates) == "check confirm timeout undo");
  }
  SUBCASE("protocol names where a NAME goes") {
    CHECK(joined(complete(table(), "show protocols ", names).candidates) == "all device1 node2 tor1 tor2");
    auto t = complete(table(), "s p t", names);
    CHECK(joined(t.candidates) == "tor1 tor2");
    CHECK(t.insertion() == "or");
    CHECK(complete(table(), "disable n", names).insertion() == "ode2 ");
    CHECK(joined(complete(table(), "reload ", names).candidates) == "device1 in node2 out tor1 tor2");
    CHECK(joined(complete(table(), "show route protocol ", names).candidates) == "device1 node2 tor1 tor2");
    CHECK(wants_protocol_names(table(), "show protocols "));
    CHECK(wants_protocol_names(table(), "en "));
    CHECK_FALSE(wants_protocol_names(table(), "show "));
    CHECK_FALSE(wants_protocol_names(table(), "show route for "));
  }
  SUBCASE("nothing to complete") {
    CHECK(complete(table(), "show route for ", names).candidates.empty());  // a free address
    CHECK(complete(table(), "disable tor1 ", names).candidates.empty());    // a free message
    CHECK(complete(table(), "show route where net", names).candidates.empty());
    CHECK(complete(table(), "show bogus ", names).candidates.empty());
    CHECK(complete(table(), "show status ", names).candidates.empty());
  }
}

TEST_CASE("? help lists the next words with a description (golden)") {
  const char* lines[] = {"",
                         "s",
                         "show ",
                         "show p",
                         "s p ",
                         "show route ",
                         "show route for 10.1.2.3 ",
                         "show route where net ~ 10.0.0.0/8 ",
                         "show route for 10",
                         "configure ",
                         "reload ",
                         "disable tor1 ",
                         "show status ",
                         "show x",
                         "show bogus ",
                         "re ",
                         "drain ",
                         "drain and down "};
  std::string out;
  for (const char* line : lines) {
    out += "=== \"" + std::string(line) + "\"\n" + help_text(table(), line);
  }
  petrel::test::check_golden("shell/help.txt", out);
}

TEST_CASE("help rows: <Enter> only where the command may end") {
  auto rows = help_rows(table(), "show bfd ");
  REQUIRE((rows).has_value());
  REQUIRE(rows->size() == 1);
  CHECK((*rows)[0].word == "sessions");
  auto end = help_rows(table(), "show bfd sessions ");
  REQUIRE((end).has_value());
  REQUIRE(end->size() == 1);
  CHECK((*end)[0].word == "<Enter>");
}

TEST_CASE("the command summary lists every command (golden)") {
  petrel::test::check_golden("shell/commands.txt", command_summary(table()));
}
