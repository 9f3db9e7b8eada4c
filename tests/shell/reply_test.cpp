// BIRD reply lines: parser, assembly of multi-line replies, birdc-style text rendering,
// exit status, and Petrel's JSON extension.
#include "shell/reply.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace petrel::shell;

namespace {

Reply assemble(const std::vector<std::string>& transcript) {
  ReplyAssembler a;
  for (std::size_t i = 0; i < transcript.size(); ++i) {
    bool done = a.feed(transcript[i]);
    CHECK(done == (i + 1 == transcript.size()));
  }
  return a.take();
}

// `show protocols` as BIRD 2.0.12 sends it (recorded from its socket).
const std::vector<std::string> show_protocols = {
    "2002-Name       Proto      Table      State  Since         Info",
    "1002-device1    Device     ---        up     20:32:15.034  ",
    " static1    Static     statictab  up     20:32:15.034  ",
    "0000 ",
};

}  // namespace

TEST_CASE("reply lines: code, kind and text") {
  auto more = parse_reply_line("1002-device1    Device", -1);
  CHECK(more.kind == ReplyLine::Kind::more);
  CHECK(more.code == 1002);
  CHECK(more.text == "device1    Device");
  auto last = parse_reply_line("0013 Daemon is up and running", 1011);
  CHECK(last.kind == ReplyLine::Kind::last);
  CHECK(last.code == 13);
  CHECK(last.text == "Daemon is up and running");
  auto cont = parse_reply_line(" static1    Static", 1002);
  CHECK(cont.kind == ReplyLine::Kind::continuation);
  CHECK(cont.code == 1002);
  CHECK(cont.text == "static1    Static");
  auto ok = parse_reply_line("0000 ", 1002);
  CHECK(ok.kind == ReplyLine::Kind::last);
  CHECK(ok.code == 0);
  CHECK(ok.text.empty());
  auto async = parse_reply_line("+Reconfigured", -1);
  CHECK(async.kind == ReplyLine::Kind::async);
  CHECK(async.text == "Reconfigured");
  auto crlf = parse_reply_line("0001 BIRD 2.0.12 ready.\r", -1);
  CHECK(crlf.text == "BIRD 2.0.12 ready.");
}

TEST_CASE("malformed reply lines are kept, never guessed") {
  for (const char* bad : {"", "12-x", "0000", "abcd-x", "100a-x", "1002x", "\xff\xfe"}) {
    CAPTURE(bad);
    CHECK(parse_reply_line(bad, -1).kind == ReplyLine::Kind::malformed);
  }
  // A continuation before any coded line has no code to continue.
  CHECK(parse_reply_line(" orphan", -1).kind == ReplyLine::Kind::malformed);
  Reply r = assemble({"garbage", "0000 "});
  CHECK(render_text(r).out == "??? <garbage>\n");
}

TEST_CASE("multi-line replies render as birdc prints them") {
  Reply r = assemble(show_protocols);
  CHECK(r.final_code == 0);
  CHECK_FALSE(r.is_error());
  Rendered t = render_text(r);
  CHECK(t.out ==
        "Name       Proto      Table      State  Since         Info\n"
        "device1    Device     ---        up     20:32:15.034  \n"
        "static1    Static     statictab  up     20:32:15.034  \n");
  CHECK(t.err.empty());
  CHECK(exit_status(r) == 0);

  Reply status = assemble({"1000-BIRD 2.0.12", "1011-Router ID is 192.0.2.1", " Hostname is vm",
                           "0013 Daemon is up and running"});
  CHECK(render_text(status).out == "BIRD 2.0.12\nRouter ID is 192.0.2.1\nHostname is vm\nDaemon is up and running\n");
  CHECK(exit_status(status) == 0);
}

TEST_CASE("error replies go to stderr and give exit status 1") {
  Reply parse = assemble({"9001 syntax error, unexpected CF_SYM_UNDEFINED"});
  CHECK(parse.is_error());
  CHECK(render_text(parse).out.empty());
  CHECK(render_text(parse).err == "syntax error, unexpected CF_SYM_UNDEFINED\n");
  CHECK(exit_status(parse) == 1);
  CHECK(parse.error_text() == "syntax error, unexpected CF_SYM_UNDEFINED");

  Reply runtime = assemble({"8003-No protocols match", " (try show protocols)", "8003 "});
  // The last line has a non-zero code and no text: birdc prints it as an empty line too.
  CHECK(render_text(runtime).err == "No protocols match\n(try show protocols)\n\n");
  CHECK(runtime.error_text() == "No protocols match\n(try show protocols)");
  CHECK(exit_status(runtime) == 1);

  Reply incomplete;
  CHECK(exit_status(incomplete) == 1);
  Reply async = assemble({"+Reconfigured", "0003 Reconfigured"});
  CHECK(render_text(async).out == ">>> Reconfigured\nReconfigured\n");
  CHECK(exit_status(async) == 0);
}

TEST_CASE("JSON extension: 1100 lines and continuations form one document") {
  Reply r = assemble({"1100-{\"protocols\": [", " {\"name\": \"tor1\", \"state\": \"up\"},",
                      " {\"name\": \"node2\", \"state\": \"start\"}", "1100-], \"count\": 2}", "0000 "});
  auto doc = json_document(r);
  REQUIRE((doc).has_value());
  CHECK(*doc ==
        "{\n"
        "  \"protocols\": [\n"
        "    {\n"
        "      \"name\": \"tor1\",\n"
        "      \"state\": \"up\"\n"
        "    },\n"
        "    {\n"
        "      \"name\": \"node2\",\n"
        "      \"state\": \"start\"\n"
        "    }\n"
        "  ],\n"
        "  \"count\": 2\n"
        "}\n");
  Reply empty_ok = assemble({"1100 {}"});
  REQUIRE((json_document(empty_ok)).has_value());
  CHECK(*json_document(empty_ok) == "{}\n");
}

TEST_CASE("JSON extension: broken or missing documents are errors") {
  Reply broken = assemble({"1100-{\"a\": ", "0000 "});
  auto b = json_document(broken);
  REQUIRE_FALSE((b).has_value());
  CHECK(b.error().message.starts_with("the server sent invalid JSON"));
  Reply none = assemble(show_protocols);
  auto n = json_document(none);
  REQUIRE_FALSE((n).has_value());
  CHECK(n.error().message == "the reply carries no JSON document (no 1100 lines)");
  // Two documents in a row are not one document.
  CHECK_FALSE((json_document(assemble({"1100-{}", "1100-{}", "0000 "}))).has_value());
}

TEST_CASE("protocol names come from the 1002 lines of show protocols") {
  std::vector<std::string> names = protocol_names(assemble(show_protocols));
  CHECK(names == std::vector<std::string>{"device1", "static1"});
  CHECK(protocol_names(assemble({"8003 No protocols match"})).empty());
}
