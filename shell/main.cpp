// shell/main.cpp — petrelc: the operator's shell for petreld (and any BIRD-protocol
// control socket).
//
//   petrelc [-s SOCKET] [--json] [COMMAND...]
//
// With a command: one-shot (expand, send, print, exit status). Without one: interactive
// line editing when stdin is a terminal, otherwise one command per input line (scripts).
// Only wiring here: the rules live in runner.cpp, the protocol in reply.cpp and
// control_client.cpp, editing in line_editor.cpp.
#include "shell/command_parser.hpp"
#include "shell/control_client.hpp"
#include "shell/line_editor.hpp"
#include "shell/runner.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

using namespace petrel::shell;

namespace {

constexpr const char* default_socket = "/run/petrel/petrel.ctl";

void usage(std::FILE* to) {
  std::fprintf(to,
               "usage: petrelc [-s SOCKET] [--json] [COMMAND...]\n"
               "  -s, --socket SOCKET  control socket (default %s)\n"
               "  -j, --json           JSON output (Petrel's extension): a show command's document, an\n"
               "                       action's {result, code, message, lines}\n"
               "  -h, --help           this text; `petrelc help` lists the commands\n"
               "Without COMMAND: interactive (Tab completes, ? explains), or one command per\n"
               "line from a non-terminal stdin.\n",
               default_socket);
}

struct Options {
  std::string socket = default_socket;
  bool json = false;
  std::vector<std::string> words;
};

// Options come first; the first other word starts the command (so a command may
// contain words beginning with '-').
bool parse_options(int argc, char** argv, Options& o) {
  int i = 1;
  for (; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") {
      ++i;
      break;
    }
    if (a == "-s" || a == "--socket") {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "petrelc: %s needs a socket path\n", a.c_str());
        return false;
      }
      o.socket = argv[++i];
    } else if (a.starts_with("--socket=")) {
      o.socket = a.substr(9);
    } else if (a.starts_with("-s") && a.size() > 2) {
      o.socket = a.substr(2);
    } else if (a == "-j" || a == "--json") {
      o.json = true;
    } else if (a == "-h" || a == "--help") {
      usage(stdout);
      std::exit(0);
    } else if (a.starts_with("-") && a.size() > 1) {
      std::fprintf(stderr, "petrelc: unknown option %s\n", a.c_str());
      return false;
    } else {
      break;
    }
  }
  for (; i < argc; ++i) o.words.emplace_back(argv[i]);
  return true;
}

std::string join(const std::vector<std::string>& words) {
  std::string s;
  for (const auto& w : words) s += (s.empty() ? "" : " ") + w;
  return s;
}

void print(const Outcome& o) {
  std::fputs(o.out.c_str(), stdout);
  std::fflush(stdout);
  std::fputs(o.err.c_str(), stderr);
  std::fflush(stderr);
}

// Connects on first use, so that `help` and rejected lines work without a daemon.
class Connection {
 public:
  explicit Connection(std::string path) : path_(std::move(path)) {}
  boost::system::result<ControlClient*, std::string> get() {
    if (!client_) {
      auto c = ControlClient::connect(path_);
      if (!c) return c.error();
      client_.emplace(std::move(*c));
    }
    return &*client_;
  }
  SendCommand sender() {
    return [this](std::string_view line) -> boost::system::result<Reply, std::string> {
      auto c = get();
      if (!c) return c.error();
      auto r = (*c)->command(line);
      if (!r) client_.reset();  // reconnect next time (daemon restarted)
      return r;
    };
  }

 private:
  std::string path_;
  std::optional<ControlClient> client_;
};

int one_shot(const Options& o, Connection& conn) {
  Outcome out = run_line(CommandTable::petrel(), join(o.words), o.json, conn.sender());
  print(out);
  return out.status;
}

int script(const Options& o, Connection& conn) {
  int status = 0;
  std::string line;
  while (std::getline(std::cin, line)) {
    Outcome out = run_line(CommandTable::petrel(), line, o.json, conn.sender());
    print(out);
    if (out.status > status) status = out.status;
    if (out.quit) break;
  }
  return status;
}

std::string history_file() {
  const char* home = std::getenv("HOME");
  return home && *home ? std::string(home) + "/.petrelc_history" : std::string();
}

int interactive(const Options& o, Connection& conn) {
  const CommandTable& table = CommandTable::petrel();
  auto c = conn.get();
  if (!c) {
    std::fprintf(stderr, "petrelc: %s\n", c.error().c_str());
    return 1;
  }
  print(Outcome{render_text((*c)->greeting()).out, "", 0, false, false});
  SendCommand send = conn.sender();
  LineEditor::Hooks hooks;
  hooks.help = [&table](std::string_view before) { return help_text(table, before); };
  hooks.complete = [&table, &send](std::string_view before) {
    std::vector<std::string> names;
    if (wants_protocol_names(table, before)) {
      auto reply = send("show protocols");
      if (reply) names = protocol_names(*reply);
    }
    return complete(table, before, names);
  };
  LineEditor editor("petrelc", hooks, history_file());
  for (;;) {
    auto line = editor.read_line();
    if (!line) {
      std::fputs("\n", stdout);
      return 0;
    }
    editor.remember(*line);
    Outcome out = run_line(table, *line, o.json, send);
    print(out);
    if (out.quit) return 0;
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse_options(argc, argv, o)) {
    usage(stderr);
    return 2;
  }
  Connection conn(o.socket);
  if (!o.words.empty()) return one_shot(o, conn);
  if (isatty(STDIN_FILENO)) return interactive(o, conn);
  return script(o, conn);
}
