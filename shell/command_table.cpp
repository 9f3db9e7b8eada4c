// shell/command_table.cpp — the rows of petrelc's command table (issue 6).
#include "shell/command_table.hpp"

#include "core/ip.hpp"

#include <algorithm>
#include <cctype>

namespace petrel::shell {

std::string_view arg_placeholder(ArgType type) {
  switch (type) {
    case ArgType::none: return "";
    case ArgType::prefix: return "PREFIX";
    case ArgType::address: return "ADDR";
    case ArgType::prefix_or_address: return "ADDR|PREFIX";
    case ArgType::name: return "NAME";
    case ArgType::number: return "N";
    case ArgType::message: return "\"message\"";
    case ArgType::filter: return "FILTER";
    case ArgType::command_words: return "COMMAND";
    case ArgType::file: return "FILE";
  }
  return "";
}

bool arg_accepts(ArgType type, std::string_view word) {
  switch (type) {
    case ArgType::none: return false;
    case ArgType::prefix: return Prefix::parse(word, /*require_canonical=*/false).has_value();
    case ArgType::address: return IpAddress::parse(word).has_value();
    case ArgType::prefix_or_address:
      return IpAddress::parse(word).has_value() || Prefix::parse(word, false).has_value();
    case ArgType::name:
      // BIRD symbol names: a letter or underscore, then letters, digits, '_' and '.';
      // a quoted pattern ("tor*") as BIRD accepts for enable/disable.
      if (word.size() >= 2 && word.front() == '"' && word.back() == '"') return true;
      if (word.empty() || !(std::isalpha(static_cast<unsigned char>(word[0])) || word[0] == '_')) return false;
      return std::all_of(word.begin(), word.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
      });
    case ArgType::number:
      return !word.empty() && word.size() <= 9 &&
             std::all_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; });
    case ArgType::file: return word.size() > 1 && word.front() == '/';
    case ArgType::message:
    case ArgType::filter:
    case ArgType::command_words: return true;
  }
  return false;
}

CommandTable::CommandTable() { nodes_.push_back(Node{}); }

NodeId CommandTable::keyword(NodeId parent, std::string word, std::string help, bool terminal) {
  Node n;
  n.word = std::move(word);
  n.help = std::move(help);
  n.terminal = terminal;
  nodes_.push_back(std::move(n));
  NodeId id = nodes_.size() - 1;
  if (parent != no_node) nodes_.at(parent).children.push_back(id);
  return id;
}

NodeId CommandTable::argument(NodeId parent, ArgType type, std::string help, bool terminal) {
  Node n;
  n.arg = type;
  n.help = std::move(help);
  n.terminal = terminal;
  nodes_.push_back(std::move(n));
  NodeId id = nodes_.size() - 1;
  if (parent != no_node) nodes_.at(parent).children.push_back(id);
  return id;
}

void CommandTable::link(NodeId parent, NodeId child) { nodes_.at(parent).children.push_back(child); }

std::vector<NodeId> CommandTable::next(NodeId id) const {
  std::vector<NodeId> out = node(id).children;
  NodeId more = node(id).continue_at;
  if (more != no_node) {
    for (NodeId c : node(more).children) {
      if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
    }
  }
  return out;
}

namespace {

// A protocol argument with an optional quoted message after it (enable, disable, restart).
void peer_action(CommandTable& t, std::string word, std::string help) {
  NodeId cmd = t.keyword(t.root(), std::move(word), std::move(help), false);
  NodeId peer = t.argument(cmd, ArgType::name, "the protocol (peer) name, or a \"pattern\"", true);
  t.argument(peer, ArgType::message, "a reason, sent to the peer in the Cease notification", true);
}

CommandTable build() {
  CommandTable t;
  const NodeId root = t.root();

  // ---- show
  NodeId show = t.keyword(root, "show", "show status, protocols, routes and Petrel's tables", false);
  t.keyword(show, "status", "daemon version, router id, uptime and last reconfiguration", true);

  NodeId protocols = t.keyword(show, "protocols", "protocols (BGP peers and others) and their state", true);
  t.mutable_node(protocols).preferred = true;  // `s p` is show protocols, as in birdc
  NodeId protocols_all = t.keyword(protocols, "all", "details of each protocol", true);
  t.argument(protocols_all, ArgType::name, "only this protocol", true);
  t.argument(protocols, ArgType::name, "only this protocol", true);

  // show route: `history PREFIX` first, or options in any order (BIRD's syntax).
  NodeId route = t.keyword(show, "route", "routes in the RIB (options may come in any order)", true);
  NodeId opts = t.keyword(no_node, "", "", false);  // container of the options, never matched itself
  t.mutable_node(route).continue_at = opts;
  NodeId history = t.keyword(route, "history", "past changes of one prefix (Petrel)", false);
  t.argument(history, ArgType::prefix, "the prefix", true);
  auto option_end = [&](NodeId n) { t.mutable_node(n).continue_at = opts; };
  NodeId route_for = t.keyword(opts, "for", "the route used to reach an address or prefix (longest match)", false);
  option_end(t.argument(route_for, ArgType::prefix_or_address, "the destination", true));
  option_end(t.argument(opts, ArgType::prefix, "only this exact prefix", true));
  option_end(t.keyword(opts, "all", "every path with its attributes, and why the best one won", true));
  NodeId route_proto = t.keyword(opts, "protocol", "only routes from this protocol (peer)", false);
  option_end(t.argument(route_proto, ArgType::name, "the protocol name", true));
  NodeId route_where = t.keyword(opts, "where", "only routes matching a filter expression", false);
  t.argument(route_where, ArgType::filter, "e.g. bgp_community ~ [(64512, 100)]", true);
  option_end(t.keyword(opts, "count", "only the number of routes", true));
  NodeId route_table = t.keyword(opts, "table", "routes of this routing table (default: the main tables)", false);
  option_end(t.argument(route_table, ArgType::name, "the table name", true));
  NodeId route_export = t.keyword(opts, "export", "the routes exported to a protocol (peer)", false);
  option_end(t.argument(route_export, ArgType::name, "the protocol name", true));

  t.keyword(show, "interfaces", "interfaces and their addresses", true);
  t.keyword(show, "memory", "memory used by the daemon", true);
  NodeId fib = t.keyword(show, "fib", "desired vs kernel routes, differences marked (Petrel)", true);
  t.argument(fib, ArgType::prefix, "only this prefix", true);
  NodeId peers = t.keyword(show, "peers", "per-peer tables (Petrel)", false);
  t.keyword(peers, "counters", "messages in and out, flaps, prefixes per peer", true);
  NodeId bfd = t.keyword(show, "bfd", "BFD (bidirectional forwarding detection)", false);
  t.keyword(bfd, "sessions", "BFD sessions and their state", true);
  t.keyword(show, "k8s", "Kubernetes: API sync state, announcements and peers with their objects (Petrel)", true);

  // ---- protocol control
  peer_action(t, "enable", "start a protocol (peer) that was disabled");
  peer_action(t, "disable", "stop a protocol (peer); it stays down until enabled");
  peer_action(t, "restart", "stop and start a protocol (peer)");
  NodeId reload = t.keyword(root, "reload", "re-run import and export of a protocol without a reset", false);
  NodeId reload_in = t.keyword(reload, "in", "import only (route refresh from the peer)", false);
  t.argument(reload_in, ArgType::name, "the protocol (peer) name", true);
  NodeId reload_out = t.keyword(reload, "out", "export only (resend to the peer)", false);
  t.argument(reload_out, ArgType::name, "the protocol (peer) name", true);
  t.argument(reload, ArgType::name, "the protocol (peer) name", true);

  // ---- configuration and daemon
  NodeId configure = t.keyword(root, "configure", "reload the configuration file (only the differences apply)", true);
  t.keyword(configure, "check", "only check the configuration file", true);
  NodeId timeout = t.keyword(configure, "timeout", "reload, and roll back unless confirmed in time", false);
  t.argument(timeout, ArgType::number, "seconds before the rollback", true);
  t.keyword(configure, "confirm", "keep a configuration loaded with timeout", true);
  t.keyword(configure, "undo", "go back to the previous configuration", true);
  t.keyword(root, "down", "shut the daemon down", true);
  // RFC 8326: routes go with GRACEFUL_SHUTDOWN (LOCAL_PREF 0 to iBGP), service IPs are withdrawn.
  NodeId drain = t.keyword(root, "drain", "withdraw this node's routes gracefully before maintenance", true);
  t.keyword(drain, "stop", "end the drain: advertise as before (cancels a pending down)", true);
  NodeId drain_and = t.keyword(drain, "and", "drain, then shut down", false);
  NodeId drain_down = t.keyword(drain_and, "down", "drain, wait (10 s unless given), then shut the daemon down", true);
  t.argument(drain_down, ArgType::number, "seconds to wait before shutting down", true);
  NodeId mrt = t.keyword(root, "mrt", "MRT export, RFC 6396, read by bgpdump (Petrel)", false);
  NodeId mrt_dump = t.keyword(mrt, "dump", "write an MRT file on the daemon's host", false);
  NodeId mrt_rib = t.keyword(mrt_dump, "rib", "every path of the RIB (TABLE_DUMP_V2)", false);
  t.argument(mrt_rib, ArgType::file, "the file to write (an absolute path)", true);
  NodeId mrt_history = t.keyword(mrt_dump, "history", "the route journal (BGP4MP updates)", false);
  t.argument(mrt_history, ArgType::file, "the file to write (an absolute path)", true);

  // ---- local to petrelc
  NodeId help = t.keyword(root, "help", "list commands, or describe one (also: ? anywhere)", true);
  t.mutable_node(help).local = true;
  t.argument(help, ArgType::command_words, "the command to describe", true);
  NodeId quit = t.keyword(root, "quit", "leave petrelc", true);
  t.mutable_node(quit).local = true;
  NodeId exit = t.keyword(root, "exit", "leave petrelc", true);
  t.mutable_node(exit).local = true;
  return t;
}

}  // namespace

const CommandTable& CommandTable::petrel() {
  static const CommandTable table = build();
  return table;
}

}  // namespace petrel::shell
