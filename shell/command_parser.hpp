// shell/command_parser.hpp — expands, completes and explains command lines using the
// command table.
//
//   expand("sh ro fo 10.1.2.3")  -> "show route for 10.1.2.3"
//   complete("sh pro")           -> partial "pro", candidates {"protocols"}
//   help("show route ")          -> the words that may follow, one line each
//
// Pure functions of (table, text[, protocol names]): no I/O, no server. Errors name the
// column (0-based) of the offending word and, for ambiguous or unknown words, the
// candidates. Protocol names for completion are passed in by the caller, who asked the
// server for them.
#pragma once

#include "shell/command_table.hpp"

#include <boost/system/result.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace petrel::shell {

// One word of a command line and where it starts (0-based column). A "quoted string"
// is one word, quotes included.
struct Word {
  std::string text;
  std::size_t column = 0;
};
std::vector<Word> split_words(std::string_view line);

struct ParseError {
  enum class Kind { unknown_word, ambiguous_word, invalid_value, too_many_words, incomplete };
  Kind kind = Kind::unknown_word;
  std::size_t column = 0;              // where the problem is (line length for `incomplete`)
  std::string message;                 // one line, complete
  std::vector<std::string> candidates; // what was expected there (sorted)
};

struct ParsedCommand {
  std::string text;            // the expanded command, to send ("show protocols all tor1")
  std::vector<NodeId> path;    // the table nodes the words matched
  bool empty = false;          // a blank line
  bool local = false;          // help / quit / exit: petrelc handles it
  bool is_show = false;        // a show command (has a JSON form)
  std::string local_word;      // "help", "quit" or "exit"
  std::string help_topic;      // help's argument, as typed ("show route")
};

boost::system::result<ParsedCommand, ParseError> expand(const CommandTable& table, std::string_view line);

// "show rout x\n          ^\nunknown word ..." : the line, a caret under the column, the message.
std::string format_parse_error(std::string_view line, const ParseError& error);

// Tab completion of the last (possibly empty) word of `line` (text up to the cursor).
struct Completion {
  std::string partial;                  // the word being completed ("" after a space)
  std::vector<std::string> candidates;  // full words, sorted, unique
  // What Tab inserts: the common extension of all candidates, plus a space when there
  // is exactly one.
  std::string insertion() const;
};
Completion complete(const CommandTable& table, std::string_view line,
                    const std::vector<std::string>& protocol_names);

// Whether completing `line` would offer protocol names (the caller then asks the server).
bool wants_protocol_names(const CommandTable& table, std::string_view line);

// `?` help for `line` (text up to the cursor): the words that may come next (those that
// match a partial last word), each with its one-line description, and <Enter> when the
// command may end there. An error if the words so far do not parse.
struct HelpRow {
  std::string word;  // keyword, or placeholder such as ADDR|PREFIX, or <Enter>
  std::string help;
};
boost::system::result<std::vector<HelpRow>, ParseError> help_rows(const CommandTable& table,
                                                                  std::string_view line);
std::string format_help(const std::vector<HelpRow>& rows);

// The full `?`/help answer for a line: rows, or the parse error explained.
std::string help_text(const CommandTable& table, std::string_view line);

// Every command as a syntax line with its description (`help` without a topic).
std::string command_summary(const CommandTable& table);

}  // namespace petrel::shell
