// shell/command_parser.cpp — expansion, completion and help over the command table.
#include "shell/command_parser.hpp"

#include <algorithm>
#include <cctype>

namespace petrel::shell {

namespace {

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string join(const std::vector<std::string>& words, std::string_view sep) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += sep;
    out += w;
  }
  return out;
}

std::string trim_right(std::string_view s) {
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

// Free text becomes one BIRD string: as typed if already quoted, otherwise quoted
// (embedded double quotes become single ones; BIRD strings cannot contain them).
std::string as_message(std::string_view text) {
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') return std::string(text);
  std::string out = "\"";
  for (char c : text) out += (c == '"') ? '\'' : c;
  return out + "\"";
}

std::string label(const Node& n) {
  return n.is_keyword() ? n.word : std::string(arg_placeholder(n.arg));
}

std::vector<std::string> labels(const CommandTable& t, const std::vector<NodeId>& ids) {
  std::vector<std::string> out;
  for (NodeId id : ids) out.push_back(label(t.node(id)));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// Where the walk stands after some words.
struct Walk {
  NodeId node = 0;
  std::vector<NodeId> path;
  std::vector<std::string> expanded;
  bool in_rest = false;  // the last node swallowed the rest of the line
};

std::string after(const Walk& w) {
  return w.expanded.empty() ? std::string("at the start") : "after \"" + join(w.expanded, " ") + "\"";
}

using WalkResult = boost::system::result<Walk, ParseError>;

ParseError make_error(ParseError::Kind kind, std::size_t column, std::string message,
                      std::vector<std::string> candidates) {
  ParseError e;
  e.kind = kind;
  e.column = column;
  e.message = std::move(message);
  e.candidates = std::move(candidates);
  return e;
}

// Takes one word at w.node: exact keyword, then unambiguous abbreviation (a preferred
// keyword wins a tie with non-preferred ones), then a typed value.
boost::system::result<void, ParseError> step(const CommandTable& t, Walk& w, const Word& word,
                                             std::string_view line) {
  const std::vector<NodeId> next = t.next(w.node);
  if (next.empty()) {
    return make_error(ParseError::Kind::too_many_words, word.column,
                      "too many words: \"" + word.text + "\"; the command ends " + after(w), {});
  }
  auto take = [&](NodeId id, std::string text) {
    w.node = id;
    w.path.push_back(id);
    w.expanded.push_back(std::move(text));
  };
  for (NodeId id : next) {
    if (t.node(id).is_keyword() && t.node(id).word == word.text) {
      take(id, word.text);
      return {};
    }
  }
  std::vector<NodeId> matches;
  for (NodeId id : next) {
    const Node& n = t.node(id);
    if (n.is_keyword() && n.word.starts_with(word.text)) matches.push_back(id);
  }
  if (matches.size() > 1) {
    std::vector<NodeId> preferred;
    for (NodeId id : matches) {
      if (t.node(id).preferred) preferred.push_back(id);
    }
    if (preferred.size() == 1) matches = preferred;
  }
  if (matches.size() == 1) {
    take(matches[0], t.node(matches[0]).word);
    return {};
  }
  if (matches.size() > 1) {
    auto names = labels(t, matches);
    return make_error(ParseError::Kind::ambiguous_word, word.column,
                      "ambiguous word \"" + word.text + "\" " + after(w) + ": it may be " + join(names, ", "),
                      names);
  }
  std::vector<NodeId> args;
  for (NodeId id : next) {
    if (!t.node(id).is_keyword()) args.push_back(id);
  }
  for (NodeId id : args) {
    const Node& n = t.node(id);
    if (!arg_accepts(n.arg, word.text)) continue;
    if (arg_takes_rest(n.arg)) {
      std::string rest = trim_right(line.substr(word.column));
      take(id, n.arg == ArgType::message ? as_message(rest) : rest);
      w.in_rest = true;
    } else {
      take(id, word.text);
    }
    return {};
  }
  if (!args.empty()) {
    auto names = labels(t, args);
    return make_error(ParseError::Kind::invalid_value, word.column,
                      "\"" + word.text + "\" " + after(w) + " is neither a keyword nor a valid " +
                          join(names, " or ") + "; expected " + join(labels(t, next), ", "),
                      labels(t, next));
  }
  auto names = labels(t, next);
  return make_error(ParseError::Kind::unknown_word, word.column,
                    "unknown word \"" + word.text + "\" " + after(w) + "; expected " + join(names, ", "),
                    names);
}

WalkResult walk(const CommandTable& t, const std::vector<Word>& words, std::string_view line) {
  Walk w;
  w.node = t.root();
  for (const Word& word : words) {
    if (w.in_rest) break;
    auto r = step(t, w, word, line);
    if (!r) return r.error();
  }
  return w;
}

// Words before the cursor, and the partial word at the cursor ("" after a space).
struct Split {
  std::vector<Word> done;
  Word partial;
};
Split split_at_cursor(std::string_view line) {
  Split s;
  s.done = split_words(line);
  if (!s.done.empty() && !line.empty() && !is_space(line.back())) {
    s.partial = s.done.back();
    s.done.pop_back();
  } else {
    s.partial.column = line.size();
  }
  return s;
}

}  // namespace

std::vector<Word> split_words(std::string_view line) {
  std::vector<Word> out;
  std::size_t i = 0;
  while (i < line.size()) {
    if (is_space(line[i])) {
      ++i;
      continue;
    }
    Word w;
    w.column = i;
    if (line[i] == '"') {
      std::size_t end = line.find('"', i + 1);
      end = (end == std::string_view::npos) ? line.size() : end + 1;
      w.text = std::string(line.substr(i, end - i));
      i = end;
    } else {
      while (i < line.size() && !is_space(line[i])) w.text += line[i++];
    }
    out.push_back(std::move(w));
  }
  return out;
}

boost::system::result<ParsedCommand, ParseError> expand(const CommandTable& t, std::string_view line) {
  ParsedCommand cmd;
  auto words = split_words(line);
  if (words.empty()) {
    cmd.empty = true;
    return cmd;
  }
  auto r = walk(t, words, line);
  if (!r) return r.error();
  const Walk& w = *r;
  const Node& last = t.node(w.node);
  if (!last.terminal) {
    auto names = labels(t, t.next(w.node));
    return make_error(ParseError::Kind::incomplete, trim_right(line).size(),
                      "incomplete command \"" + join(w.expanded, " ") + "\": expected " + join(names, ", "),
                      names);
  }
  cmd.text = join(w.expanded, " ");
  cmd.path = w.path;
  const Node& first = t.node(w.path.front());
  cmd.local = first.local;
  cmd.is_show = first.word == "show";
  if (cmd.local) {
    cmd.local_word = first.word;
    if (w.path.size() > 1) cmd.help_topic = w.expanded.back();
  }
  return cmd;
}

std::string format_parse_error(std::string_view line, const ParseError& error) {
  std::string out(line);
  out += '\n';
  out += std::string(std::min(error.column, line.size()), ' ');
  out += "^\n";
  out += error.message;
  return out;
}

std::string Completion::insertion() const {
  if (candidates.empty()) return "";
  std::string common = candidates.front();
  for (const auto& c : candidates) {
    std::size_t n = 0;
    while (n < common.size() && n < c.size() && common[n] == c[n]) ++n;
    common.resize(n);
  }
  if (common.size() < partial.size()) return "";
  std::string out = common.substr(partial.size());
  if (candidates.size() == 1) out += ' ';
  return out;
}

Completion complete(const CommandTable& t, std::string_view line, const std::vector<std::string>& names) {
  Completion c;
  Split s = split_at_cursor(line);
  c.partial = s.partial.text;
  auto r = walk(t, s.done, line);
  if (!r || r->in_rest) return c;
  for (NodeId id : t.next(r->node)) {
    const Node& n = t.node(id);
    if (n.is_keyword()) {
      if (n.word.starts_with(c.partial)) c.candidates.push_back(n.word);
    } else if (n.arg == ArgType::name) {
      for (const auto& name : names) {
        if (name.starts_with(c.partial)) c.candidates.push_back(name);
      }
    }
  }
  std::sort(c.candidates.begin(), c.candidates.end());
  c.candidates.erase(std::unique(c.candidates.begin(), c.candidates.end()), c.candidates.end());
  return c;
}

bool wants_protocol_names(const CommandTable& t, std::string_view line) {
  Split s = split_at_cursor(line);
  auto r = walk(t, s.done, line);
  if (!r || r->in_rest) return false;
  for (NodeId id : t.next(r->node)) {
    if (t.node(id).arg == ArgType::name) return true;
  }
  return false;
}

boost::system::result<std::vector<HelpRow>, ParseError> help_rows(const CommandTable& t, std::string_view line) {
  Split s = split_at_cursor(line);
  auto r = walk(t, s.done, line);
  if (!r) return r.error();
  std::vector<HelpRow> rows;
  const Walk& w = *r;
  if (!w.in_rest) {
    for (NodeId id : t.next(w.node)) {
      const Node& n = t.node(id);
      if (n.is_keyword()) {
        if (n.word.starts_with(s.partial.text)) rows.push_back({n.word, n.help});
      } else {
        // A partial value ("10.1") cannot be validated yet: the placeholder is listed.
        rows.push_back({std::string(arg_placeholder(n.arg)), n.help});
      }
    }
  }
  bool at_end = w.in_rest || s.partial.text.empty();
  if (at_end && w.node != t.root() && t.node(w.node).terminal) rows.push_back({"<Enter>", "run the command"});
  return rows;
}

std::string format_help(const std::vector<HelpRow>& rows) {
  std::size_t width = 12;
  for (const auto& r : rows) width = std::max(width, r.word.size() + 2);
  std::string out;
  for (const auto& r : rows) {
    out += "  " + r.word + std::string(width - r.word.size(), ' ') + r.help + "\n";
  }
  return out;
}

std::string help_text(const CommandTable& t, std::string_view line) {
  auto rows = help_rows(t, line);
  if (!rows) return format_parse_error(line, rows.error()) + "\n";
  if (rows->empty()) {
    Split s = split_at_cursor(line);
    return "  (no word " + (s.partial.text.empty() ? std::string("may follow") : "starts with \"" + s.partial.text + "\"") +
           " here)\n";
  }
  return format_help(*rows);
}

namespace {

struct SummaryLine {
  std::string syntax;
  std::string help;
};

// Options (a continue_at container) are listed under the node that owns them, once;
// the options' own continue_at (back to the container) is not followed again.
// A line is described by its last keyword ("configure timeout N": the help of timeout),
// or by the value itself when no keyword precedes it in its segment.
void summarize(const CommandTable& t, NodeId id, const std::string& prefix, std::vector<SummaryLine>& out,
               const std::string& keyword_help, bool list_options = true) {
  const Node& n = t.node(id);
  std::string here = prefix.empty() ? label(n) : prefix + " " + label(n);
  std::string described = n.is_keyword() ? n.help : keyword_help;
  if (n.terminal) out.push_back({here, described.empty() ? n.help : described});
  for (NodeId c : n.children) summarize(t, c, here, out, described, list_options);
  if (list_options && n.continue_at != no_node) {
    // Options that may follow in any order, each listed once.
    for (NodeId c : t.node(n.continue_at).children) summarize(t, c, here + " ...", out, "", false);
  }
}

}  // namespace

std::string command_summary(const CommandTable& t) {
  std::vector<SummaryLine> lines;
  for (NodeId c : t.node(t.root()).children) summarize(t, c, "", lines, "");
  std::size_t width = 0;
  for (const auto& l : lines) width = std::max(width, l.syntax.size() + 2);
  std::string out;
  for (const auto& l : lines) out += l.syntax + std::string(width - l.syntax.size(), ' ') + l.help + "\n";
  return out;
}

}  // namespace petrel::shell
