// ControlHandler over a real BgpSpeaker (sessions never started, FIB in dry
// run): every action answers `json` in one shape made by the reply layer
// ({result, code, message, lines}), errors stay the usual 8xxx/9xxx lines with
// and without `json`, and each drain change reaches the hook that keeps it
// across a restart.
#include "daemon/control_handler.hpp"

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "daemon/bgp_speaker.hpp"

using namespace petrel;
using namespace petrel::daemon;

namespace {

Config test_config() {
  auto c = parse_config(
      "router-id: 10.0.0.11\nlocal-as: 64512\nfib: {enabled: false}\n"
      "originate:\n  - {prefix: 10.96.0.10/32, blackhole: false}\n"
      "peers:\n  - {name: tor1, address: 192.0.2.1, remote-as: internal}\n",
      "test.yaml");
  REQUIRE(c.has_value());
  return *c;
}

struct Fixture {
  boost::asio::io_context io;
  Config config = test_config();
  BgpSpeaker speaker{io, config, [](std::span<const rib::RouteChange>, const rib::DecidedPaths&, const rib::Rib&) {}};
  std::vector<bool> drains;                     // draining_changed calls
  std::vector<std::optional<uint32_t>> delays;  // down_after calls
  int downs = 0;
  std::vector<std::string> hooked;  // commands the configure / store hooks got
  ControlHandler handler{speaker, hooks(), "1.2.3"};

  ControlHandler::Hooks hooks() {
    ControlHandler::Hooks h;
    h.down = [this] { ++downs; };
    h.down_after = [this](std::optional<uint32_t> s) {
      const bool pending = !delays.empty() && delays.back().has_value();
      delays.push_back(s);
      return pending;
    };
    h.draining_changed = [this](bool on) { drains.push_back(on); };
    // What main.cpp's hooks answer (daemon/main.cpp reconfigure(), StoreFeed::mrt_dump()).
    h.configure = [this](const Command& c) {
      hooked.push_back("configure");
      Reply r;
      r.line(reply_code::reading_config, "Reading configuration from /etc/petrel/petrel.yaml");
      return c.configure == Command::Configure::check ? r.end(reply_code::config_ok, "Configuration OK")
                                                       : r.end(reply_code::reconfigured, "Reconfigured");
    };
    h.store = [this](const Command&) {
      hooked.push_back("mrt");
      return Reply().end(reply_code::mrt_written, "MRT dump: 0 paths of 0 prefixes (TABLE_DUMP_V2) written to /tmp/x.mrt");
    };
    return h;
  }
};

// The JSON document of a reply: every line code 1100, texts joined.
boost::json::object document(const Reply& r) {
  std::string text;
  for (const auto& [code, t] : r.entries()) {
    REQUIRE(code == reply_code::json);
    text += t + "\n";
  }
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  REQUIRE_FALSE(ec);
  REQUIRE(v.is_object());
  return v.as_object();
}

// The one shape of an action's JSON answer.
void check_action(const Reply& r, int code, const std::string& message) {
  CHECK_FALSE(r.is_error());
  const auto o = document(r);
  CHECK(o.size() == 4);
  CHECK(o.at("result").as_string() == "ok");
  CHECK(o.at("code").as_int64() == code);
  CHECK(std::string(o.at("message").as_string()) == message);
  const auto& lines = o.at("lines").as_array();
  REQUIRE_FALSE(lines.empty());
  CHECK(lines.back().as_object().at("code").as_int64() == code);
  CHECK(std::string(lines.back().as_object().at("text").as_string()) == message);
}

}  // namespace

TEST_CASE("every action answers json in one shape: result, code, message, lines") {
  Fixture f;
  check_action(f.handler.handle("json disable tor1", false), reply_code::disabled, "tor1: disabled");
  check_action(f.handler.handle("json disable tor1", false), reply_code::already_disabled, "tor1: already disabled");
  check_action(f.handler.handle("json enable tor1", false), reply_code::enabled, "tor1: enabled");
  check_action(f.handler.handle("json enable tor1", false), reply_code::already_enabled, "tor1: already enabled");
  check_action(f.handler.handle("json restart tor1 \"new cable\"", false), reply_code::restarted, "tor1: restarted");
  check_action(f.handler.handle("json configure check", false), reply_code::config_ok, "Configuration OK");
  const Reply conf = f.handler.handle("json configure", false);
  check_action(conf, reply_code::reconfigured, "Reconfigured");
  const auto lines = document(conf).at("lines").as_array();
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].as_object().at("code").as_int64() == reply_code::reading_config);
  CHECK(std::string(lines[0].as_object().at("text").as_string()) == "Reading configuration from /etc/petrel/petrel.yaml");
  check_action(f.handler.handle("json mrt dump rib /tmp/x.mrt", false), reply_code::mrt_written,
               "MRT dump: 0 paths of 0 prefixes (TABLE_DUMP_V2) written to /tmp/x.mrt");
  CHECK(f.hooked == std::vector<std::string>{"configure", "configure", "mrt"});
  check_action(f.handler.handle("json down", false), reply_code::shutdown_ordered, "Shutdown requested");
  CHECK(f.downs == 1);
}

TEST_CASE("drain actions answer json, and each drain change reaches the hook that keeps it") {
  Fixture f;
  const std::string started =
      "Draining: routes sent with GRACEFUL_SHUTDOWN (65535,0), LOCAL_PREF 0 to iBGP peers, 1 service IPs withdrawn";
  check_action(f.handler.handle("json drain", false), reply_code::drain, started);
  CHECK(f.speaker.draining());
  CHECK(f.drains == std::vector<bool>{true});
  check_action(f.handler.handle("json drain", false), reply_code::drain, "Already draining");
  CHECK(f.drains == std::vector<bool>{true});  // no change, nothing to keep
  check_action(f.handler.handle("json drain stop", false), reply_code::drain, "Drain stopped: routes sent as before");
  CHECK_FALSE(f.speaker.draining());
  CHECK(f.drains == std::vector<bool>{true, false});
  check_action(f.handler.handle("json drain stop", false), reply_code::drain, "Not draining");
  CHECK(f.drains == std::vector<bool>{true, false});

  const Reply r = f.handler.handle("json drain and down 5", false);
  check_action(r, reply_code::shutdown_ordered, "Shutdown in 5 s");
  const auto lines = document(r).at("lines").as_array();
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].as_object().at("code").as_int64() == reply_code::drain);
  CHECK(std::string(lines[0].as_object().at("text").as_string()) == started);
  CHECK(f.drains == std::vector<bool>{true, false, true});
  // Each `drain stop` cancelled a pending down (none was), then the delayed down.
  CHECK(f.delays == std::vector<std::optional<uint32_t>>{std::nullopt, std::nullopt, 5u});
  check_action(f.handler.handle("json drain stop", false), reply_code::drain,
               "Drain stopped: routes sent as before; pending shutdown cancelled");
  CHECK(f.drains == std::vector<bool>{true, false, true, false});
}

TEST_CASE("without json, actions answer in text as before") {
  Fixture f;
  CHECK(f.handler.handle("disable tor1", false).encode() == "0009-tor1: disabled\n0000 \n");
  CHECK(f.handler.handle("drain", false).encode().starts_with("0030 Draining: "));
  CHECK(f.handler.handle("down", false).encode() == "0007 Shutdown requested\n");
}

TEST_CASE("an action's error answers json as every error does: the 8xxx/9xxx line, unchanged") {
  Fixture f;
  const char* lines[][2] = {
      {"disable nosuch", "8003 No protocols match\n"},
      {"reload tor1", "8001 tor1: not established\n"},
      {"reload in tor1", "8001 tor1: not established\n"},
      {"reload out tor1", "8001 tor1: not established\n"},
      {"restart nosuch", "8003 No protocols match\n"},
  };
  for (const auto& [line, expected] : lines) {
    CAPTURE(line);
    const Reply text = f.handler.handle(line, false);
    const Reply json = f.handler.handle(std::string("json ") + line, false);
    CHECK(text.encode() == expected);
    CHECK(json.encode() == expected);
  }
  // As for a show command.
  CHECK(f.handler.handle("json show protocols nosuch", false).encode() == "8003 No protocols match\n");
  // Refused on the read-only socket, and a parse error: the same lines.
  CHECK(f.handler.handle("json drain", true).encode() == "0016 Access restricted\n");
  CHECK(f.handler.handle("json drain later", false).is_error());
  CHECK(f.drains.empty());
}

TEST_CASE("show commands keep their own JSON documents") {
  Fixture f;
  const auto o = document(f.handler.handle("json show status", false));
  CHECK(o.contains("router_id"));
  CHECK_FALSE(o.contains("result"));
}
