// shell/command_table.hpp — petrelc's one command table.
//
// Every command petrelc knows, as a small graph of words: keywords ("show", "route")
// and typed free values (PREFIX, ADDR, NAME, N, "message", the `where` filter). The
// same table drives parsing with abbreviations (command_parser.hpp), tab completion
// and `?` help, so they can never disagree.
//
// Pure data: no I/O, no knowledge of the daemon beyond the command words of the
// control protocol (BIRD's, plus Petrel's additions). Built once; read-only after.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace petrel::shell {

// Free values a command takes. Each has a placeholder for help and a validator.
enum class ArgType {
  none,             // a keyword node
  prefix,           // 10.244.0.0/16, 2001:db8::/32
  address,          // 10.1.2.3, 2001:db8::1
  prefix_or_address,
  name,             // a protocol (peer) name; completed from the server's `show protocols`
  number,           // a decimal number
  message,          // free text to the end of the line; sent as one quoted string
  filter,           // a BIRD filter expression to the end of the line; sent as typed
  command_words,    // words to the end of the line, kept as typed (help COMMAND)
  file,             // an absolute file name on the daemon's host (mrt dump)
};

// The placeholder shown in help ("PREFIX", "NAME", ...).
std::string_view arg_placeholder(ArgType type);

// Whether `word` is a valid value of `type` (free text types accept anything).
bool arg_accepts(ArgType type, std::string_view word);

// Argument types that swallow the rest of the line.
inline bool arg_takes_rest(ArgType type) {
  return type == ArgType::message || type == ArgType::filter || type == ArgType::command_words;
}

using NodeId = std::size_t;
inline constexpr NodeId no_node = static_cast<NodeId>(-1);

struct Node {
  std::string word;          // keyword text, empty for an argument node
  ArgType arg = ArgType::none;
  std::string help;          // one line, shown by `?` and `help`
  bool terminal = false;     // the command may end after this node
  bool preferred = false;    // wins an abbreviation shared with non-preferred siblings (`s p`)
  bool local = false;        // handled by petrelc itself (help, quit, exit), never sent
  std::vector<NodeId> children;
  NodeId continue_at = no_node;  // after this node, the children of that node follow too
                                 // (options that may come in any order, as in `show route`)
  bool is_keyword() const { return arg == ArgType::none; }
};

class CommandTable {
 public:
  // The table of issue 6 (BIRD's commands plus Petrel's); see shell/README.md.
  static const CommandTable& petrel();

  NodeId root() const { return 0; }
  const Node& node(NodeId id) const { return nodes_.at(id); }

  // The words that may follow `id`: its own children, then those of its continue_at
  // node (without duplicates).
  std::vector<NodeId> next(NodeId id) const;

  // Builder (used by petrel() and by tests).
  CommandTable();
  NodeId keyword(NodeId parent, std::string word, std::string help, bool terminal);
  NodeId argument(NodeId parent, ArgType type, std::string help, bool terminal);
  void link(NodeId parent, NodeId child);  // an existing node as a further child
  Node& mutable_node(NodeId id) { return nodes_.at(id); }

 private:
  std::vector<Node> nodes_;
};

}  // namespace petrel::shell
