// shell/runner.hpp — what petrelc does with one command line, in every mode.
//
// Expands the line with the command table, handles petrelc's own commands (help, quit),
// sends the rest through `send` (one control-protocol request, one reply) and renders
// the reply as text or, with --json, as the JSON document of Petrel's extension. The
// transport is a function, so the rules here are tested on recorded transcripts and run
// for real over control_client.hpp.
//
// Exit status rules (shell/README.md): 0 ok; 1 the server answered with an error
// (8xxx/9xxx), the JSON extension is missing or broken, or the connection failed; 2 the
// command was rejected by petrelc itself (unknown, ambiguous, incomplete; --json on a
// command without a JSON form).
#pragma once

#include "shell/command_table.hpp"
#include "shell/reply.hpp"

#include <boost/system/result.hpp>

#include <functional>
#include <string>
#include <string_view>

namespace petrel::shell {

using SendCommand = std::function<boost::system::result<Reply, std::string>(std::string_view)>;

struct Outcome {
  std::string out;     // for stdout
  std::string err;     // for stderr
  int status = 0;      // see the rules above
  bool quit = false;   // quit / exit
  bool sent = false;   // something went to the server
};

Outcome run_line(const CommandTable& table, std::string_view line, bool json, const SendCommand& send);

// The answer to `help` without a topic.
std::string help_overview(const CommandTable& table);

}  // namespace petrel::shell
