// shell/runner.cpp — one command line: expand, run locally or send, render.
#include "shell/runner.hpp"

#include "shell/command_parser.hpp"

namespace petrel::shell {

namespace {

constexpr int status_ok = 0;
constexpr int status_failed = 1;
constexpr int status_rejected = 2;

Outcome from_reply(const Reply& reply) {
  Outcome o;
  Rendered r = render_text(reply);
  o.out = std::move(r.out);
  o.err = std::move(r.err);
  o.status = exit_status(reply);
  o.sent = true;
  return o;
}

Outcome connection_failed(const std::string& message) {
  Outcome o;
  o.err = "petrelc: " + message + "\n";
  o.status = status_failed;
  o.sent = true;
  return o;
}

// --json: send "json COMMAND"; a server without the extension answers with a parse
// error, which petrelc tells apart from a real parse error of COMMAND by sending COMMAND
// alone (only then, so a Petrel server costs one round trip). An action is never sent
// again (that would run it): the probe is "json show status" instead, harmless.
// The server refused "json ..." as an unknown command: it is not Petrel's.
Outcome without_json_extension(const std::string& request, const Reply& reply, const std::string& advice) {
  Outcome o;
  o.sent = true;
  o.status = status_failed;
  o.err = "petrelc: the server does not speak Petrel's JSON extension (it answered \"" + request +
          "\" with: " + reply.error_text() + "); " + advice + "\n";
  return o;
}

Outcome run_json(const std::string& command, bool is_show, const SendCommand& send) {
  std::string request = "json " + command;
  auto reply = send(request);
  if (!reply) return connection_failed(reply.error());
  if (!reply->is_error()) {
    Outcome o;
    o.sent = true;
    auto doc = json_document(*reply);
    if (doc) {
      o.out = *doc;
    } else {
      o.err = "petrelc: \"" + request + "\": " + doc.error().message + "\n";
      o.status = status_failed;
    }
    return o;
  }
  if (reply->final_code >= 9000 && !is_show) {
    auto probe = send("json show status");
    if (!probe) return connection_failed(probe.error());
    if (probe->is_error() && probe->final_code >= 9000)
      return without_json_extension(request, *reply, "nothing was done; run the command without --json");
    return from_reply(*reply);  // the server knows `json`: a real error of the command
  }
  if (reply->final_code >= 9000) {
    auto plain = send(command);
    if (!plain) return connection_failed(plain.error());
    if (!plain->is_error() || plain->final_code < 9000)
      return without_json_extension(request, *reply, "run the command without --json for text output");
    return from_reply(*plain);
  }
  return from_reply(*reply);
}

}  // namespace

std::string help_overview(const CommandTable& table) {
  return "Commands (words may be abbreviated when unambiguous: \"s p\" is \"show protocols\";\n"
         "type ? anywhere to see what may come next, Tab to complete):\n\n" +
         command_summary(table);
}

Outcome run_line(const CommandTable& table, std::string_view line, bool json, const SendCommand& send) {
  Outcome o;
  auto parsed = expand(table, line);
  if (!parsed) {
    o.err = format_parse_error(line, parsed.error()) + "\n";
    o.status = status_rejected;
    return o;
  }
  const ParsedCommand& cmd = *parsed;
  if (cmd.empty) return o;
  if (cmd.local) {
    if (cmd.local_word == "help") {
      o.out = cmd.help_topic.empty() ? help_overview(table) : help_text(table, cmd.help_topic + " ");
    } else {
      o.quit = true;
    }
    return o;
  }
  if (json) return run_json(cmd.text, cmd.is_show, send);
  auto reply = send(cmd.text);
  if (!reply) return connection_failed(reply.error());
  return from_reply(*reply);
}

}  // namespace petrel::shell
