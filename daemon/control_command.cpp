// daemon/control_command.cpp — see control_command.hpp.
#include "daemon/control_command.hpp"

#include <charconv>
#include <initializer_list>

namespace petrel::daemon {

namespace {

using Error = std::string;

Result<Command, Error> fail(std::string message) { return Result<Command, Error>(boost::system::in_place_error, std::move(message)); }

// Words, with "double quoted" text as one word (quotes removed).
struct Tokens {
  std::vector<std::string> words;
  std::vector<bool> quoted;
  std::size_t at = 0;
  bool done() const { return at >= words.size(); }
  const std::string& peek() const { return words[at]; }
};

Result<Tokens, Error> tokenize(std::string_view line) {
  Tokens t;
  std::size_t i = 0;
  while (i < line.size()) {
    if (line[i] == ' ' || line[i] == '\t' || line[i] == '\r' || line[i] == '\n') {
      ++i;
      continue;
    }
    if (line[i] == '"') {
      const std::size_t close = line.find('"', i + 1);
      if (close == std::string_view::npos) return Result<Tokens, Error>(boost::system::in_place_error, "unterminated quoted text");
      t.words.emplace_back(line.substr(i + 1, close - i - 1));
      t.quoted.push_back(true);
      i = close + 1;
      continue;
    }
    std::size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '"') ++j;
    t.words.emplace_back(line.substr(i, j - i));
    t.quoted.push_back(false);
    i = j;
  }
  return t;
}

// The keyword among `options` that `word` abbreviates: an exact match, or the
// only one it is a prefix of (BIRD accepts unique prefixes too).
// With `first_wins`, an ambiguous prefix means the first of its matches (the
// options are listed by priority: `s p` is `show protocols`, not `show peers`).
std::optional<std::string> keyword(const std::string& word, std::initializer_list<const char*> options,
                                   std::string* ambiguity = nullptr, bool first_wins = false) {
  std::optional<std::string> found;
  int matches = 0;
  for (const char* o : options) {
    const std::string_view opt(o);
    if (opt == word) return std::string(opt);
    if (!word.empty() && opt.substr(0, word.size()) == word) {
      ++matches;
      if (!found) found = std::string(opt);
      else if (ambiguity) *ambiguity = *found + ", " + std::string(opt);
    }
  }
  return matches == 1 || (matches > 1 && first_wins) ? found : std::nullopt;
}

std::string expected(std::initializer_list<const char*> options) {
  std::string s;
  for (const char* o : options) s += (s.empty() ? "" : " | ") + std::string(o);
  return s;
}

bool parse_u32(std::string_view s, uint32_t& out) {
  const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// "(A,B)" or "(A,B,C)" with optional spaces, already joined into one string.
bool parse_community(std::string_view s, std::vector<uint32_t>& parts) {
  if (s.size() < 2 || s.front() != '(' || s.back() != ')') return false;
  s = s.substr(1, s.size() - 2);
  parts.clear();
  while (true) {
    const auto comma = s.find(',');
    std::string_view part = s.substr(0, comma);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    uint32_t v = 0;
    if (!parse_u32(part, v)) return false;
    parts.push_back(v);
    if (comma == std::string_view::npos) break;
    s = s.substr(comma + 1);
  }
  return parts.size() == 2 || parts.size() == 3;
}

// The text after `where`: `bgp_community ~ [(A,B), …]` or `(A,B) ~ bgp_community`,
// and the same with bgp_large_community.
Result<CommunityFilter, Error> parse_where(std::string text) {
  auto bad = [](std::string m) { return Result<CommunityFilter, Error>(boost::system::in_place_error, std::move(m)); };
  std::string compact;
  for (char c : text)
    if (c != ' ' && c != '\t') compact += c;
  const auto tilde = compact.find('~');
  if (tilde == std::string::npos) return bad("where: expected ATTRIBUTE ~ [(A,B), …] or (A,B) ~ ATTRIBUTE");
  std::string left = compact.substr(0, tilde), right = compact.substr(tilde + 1);
  std::string attr, set;
  if (left == "bgp_community" || left == "bgp_large_community") {
    attr = left;
    set = right;
  } else if (right == "bgp_community" || right == "bgp_large_community") {
    attr = right;
    set = "[" + left + "]";
  } else {
    return bad("where: only bgp_community and bgp_large_community can be matched");
  }
  if (set.size() < 2 || set.front() != '[' || set.back() != ']') return bad("where: expected a set [(A,B), …]");
  set = set.substr(1, set.size() - 2);
  CommunityFilter f;
  std::size_t at = 0;
  std::vector<uint32_t> parts;
  while (at < set.size()) {
    const auto close = set.find(')', at);
    if (close == std::string::npos) return bad("where: unclosed community");
    if (!parse_community(set.substr(at, close - at + 1), parts)) return bad("where: not a community: " + set.substr(at, close - at + 1));
    if (attr == "bgp_community") {
      if (parts.size() != 2 || parts[0] > 0xFFFF || parts[1] > 0xFFFF) return bad("where: a community is (A,B) with A, B <= 65535");
      f.communities.push_back(parts[0] << 16 | parts[1]);
    } else {
      if (parts.size() != 3) return bad("where: a large community is (A,B,C)");
      f.large_communities.push_back({parts[0], parts[1], parts[2]});
    }
    at = close + 1;
    if (at < set.size() && set[at] == ',') ++at;
  }
  if (f.communities.empty() && f.large_communities.empty()) return bad("where: the set is empty");
  return f;
}

Result<Command, Error> parse_show_route(Tokens& t, Command c, const std::string& rest_of_line) {
  c.verb = Command::Verb::show_route;
  while (!t.done()) {
    const std::string w = t.words[t.at++];
    const auto k = keyword(w, {"for", "all", "protocol", "export", "count", "where", "history"});
    if (k && *k == "history") {
      c.verb = Command::Verb::show_route_history;
      if (t.done()) return fail("show route history: expected a prefix");
      const std::string v = t.words[t.at++];
      auto p = Prefix::parse(v);
      if (!p) {
        if (auto loose = Prefix::parse(v, false))
          return fail("show route history: " + v + " has host bits set (did you mean " + loose->to_string() + "?)");
        return fail("show route history: not a prefix: " + v);
      }
      c.prefix = *p;
      if (!t.done()) return fail("unexpected '" + t.peek() + "' at the end of the command");
      return c;
    }
    if (!k) {
      if (auto p = Prefix::parse(w)) {
        c.prefix = *p;
        continue;
      }
      if (auto loose = Prefix::parse(w, false))
        return fail("show route: " + w + " has host bits set (did you mean " + loose->to_string() + "?)");
      return fail("show route: unexpected '" + w + "' (expected " +
                  expected({"for ADDR", "PREFIX", "all", "protocol NAME", "export NAME", "count", "where …"}) + ")");
    }
    if (*k == "all") c.all = true;
    else if (*k == "count") c.count = true;
    else if (*k == "where") {
      // The filter is the rest of the line as typed.
      const auto pos = rest_of_line.find(w, 0);
      std::string filter = pos == std::string::npos ? "" : rest_of_line.substr(pos + w.size());
      auto f = parse_where(filter);
      if (!f) return fail(f.error());
      c.where = *f;
      t.at = t.words.size();
    } else {
      if (t.done()) return fail("show route " + *k + ": expected " + (*k == "for" ? "an address or prefix" : "a protocol name"));
      const std::string v = t.words[t.at++];
      if (*k == "for") {
        if (auto a = IpAddress::parse(v)) c.for_address = *a;
        else if (auto p = Prefix::parse(v, false)) c.for_address = p->address();
        else return fail("show route for: not an address or prefix: " + v);
      } else if (*k == "protocol") {
        c.protocol = v;
      } else {
        c.export_peer = v;
      }
    }
  }
  return c;
}

}  // namespace

bool Command::is_show() const {
  switch (verb) {
    case Verb::show_status:
    case Verb::show_protocols:
    case Verb::show_route:
    case Verb::show_interfaces:
    case Verb::show_memory:
    case Verb::show_fib:
    case Verb::show_counters:
    case Verb::show_bfd_sessions:
    case Verb::show_k8s:
    case Verb::show_route_history: return true;
    default: return false;
  }
}

bool Command::changes_state() const {
  switch (verb) {
    case Verb::enable:
    case Verb::disable:
    case Verb::restart:
    case Verb::reload:
    case Verb::down:
    case Verb::mrt_dump: return true;  // writes a file as the daemon's user
    case Verb::drain: return true;
    case Verb::configure: return configure != Configure::check;
    default: return false;
  }
}

Result<Command, std::string> parse_command(std::string_view line) {
  auto tokens = tokenize(line);
  if (!tokens) return fail(tokens.error());
  Tokens& t = *tokens;
  Command c;
  if (t.done()) return fail("empty command");
  if (!t.quoted[0] && t.peek() == "json") {
    c.json = true;
    ++t.at;
    if (t.done()) return fail("json: expected a command");
  }
  std::string amb;
  const std::string verb_word = t.words[t.at++];
  const auto verb = keyword(verb_word, {"show", "enable", "disable", "restart", "reload", "configure", "down", "drain", "mrt"}, &amb);
  if (!verb) {
    if (!amb.empty()) return fail("'" + verb_word + "' is ambiguous: " + amb);
    return fail("unknown command '" + verb_word + "' (expected " +
                expected({"show", "enable", "disable", "restart", "reload", "configure", "down", "drain", "mrt"}) + ")");
  }
  const std::string rest(line);

  if (*verb == "show") {
    if (t.done()) return fail("show: expected " + expected({"status", "protocols", "route", "interfaces", "memory", "fib", "counters", "bfd", "k8s"}));
    const std::string what_word = t.words[t.at++];
    const auto what =
        keyword(what_word, {"status", "protocols", "route", "interfaces", "memory", "fib", "counters", "peers", "bfd", "k8s"}, &amb, true);
    if (!what) return fail("show: " + (amb.empty() ? "unknown '" + what_word + "'" : "'" + what_word + "' is ambiguous: " + amb) +
                           " (expected " + expected({"status", "protocols", "route", "interfaces", "memory", "fib", "counters", "bfd", "k8s"}) + ")");
    if (*what == "route") return parse_show_route(t, c, rest);
    if (*what == "protocols") {
      c.verb = Command::Verb::show_protocols;
      if (!t.done() && keyword(t.peek(), {"all"})) {
        c.all = true;
        ++t.at;
      }
      if (!t.done()) c.name = t.words[t.at++];
    } else if (*what == "fib") {
      c.verb = Command::Verb::show_fib;
      if (!t.done()) {
        auto p = Prefix::parse(t.peek());
        if (!p) return fail("show fib: not a prefix: " + t.peek());
        c.prefix = *p;
        ++t.at;
      }
    } else if (*what == "k8s") {
      c.verb = Command::Verb::show_k8s;
    } else if (*what == "counters") {
      c.verb = Command::Verb::show_counters;
    } else if (*what == "bfd") {
      if (t.done() || !keyword(t.peek(), {"sessions"})) return fail("show bfd: expected sessions");
      ++t.at;
      c.verb = Command::Verb::show_bfd_sessions;
    } else if (*what == "peers") {  // petrelc's spelling: show peers counters
      if (t.done() || !keyword(t.peek(), {"counters"})) return fail("show peers: expected counters");
      ++t.at;
      c.verb = Command::Verb::show_counters;
    } else {
      c.verb = *what == "status" ? Command::Verb::show_status
               : *what == "interfaces" ? Command::Verb::show_interfaces
                                       : Command::Verb::show_memory;
    }
  } else if (*verb == "enable" || *verb == "disable" || *verb == "restart") {
    c.verb = *verb == "enable" ? Command::Verb::enable : *verb == "disable" ? Command::Verb::disable : Command::Verb::restart;
    if (t.done()) return fail(*verb + ": expected a protocol name");
    c.name = t.words[t.at++];
    if (!t.done()) c.message = t.words[t.at++];
  } else if (*verb == "reload") {
    c.verb = Command::Verb::reload;
    if (!t.done() && !t.quoted[t.at]) {
      if (auto k = keyword(t.peek(), {"in", "out"}); k && t.at + 1 < t.words.size()) {
        c.reload = *k == "in" ? Command::Reload::in : Command::Reload::out;
        ++t.at;
      }
    }
    if (t.done()) return fail("reload: expected a protocol name");
    c.name = t.words[t.at++];
  } else if (*verb == "configure") {
    c.verb = Command::Verb::configure;
    if (!t.done() && !t.quoted[t.at]) {
      const auto k = keyword(t.peek(), {"soft", "check", "timeout", "confirm", "undo"});
      if (!k) return fail("configure: unexpected '" + t.peek() + "' (expected " +
                          expected({"soft", "check", "timeout N", "confirm", "undo", "\"FILE\""}) + ")");
      ++t.at;
      c.configure = *k == "soft" ? Command::Configure::soft
                    : *k == "check" ? Command::Configure::check
                    : *k == "timeout" ? Command::Configure::timeout
                    : *k == "confirm" ? Command::Configure::confirm
                                      : Command::Configure::undo;
      if (c.configure == Command::Configure::timeout) {
        if (t.done() || !parse_u32(t.peek(), c.timeout_seconds) || c.timeout_seconds == 0)
          return fail("configure timeout: expected a number of seconds");
        ++t.at;
      }
    }
    if (!t.done() && t.quoted[t.at]) c.file = t.words[t.at++];
  } else if (*verb == "mrt") {
    c.verb = Command::Verb::mrt_dump;
    if (t.done() || !keyword(t.peek(), {"dump"})) return fail("mrt: expected dump");
    ++t.at;
    const auto what = t.done() ? std::nullopt : keyword(t.peek(), {"rib", "history"});
    if (!what) return fail("mrt dump: expected " + expected({"rib", "history"}));
    ++t.at;
    c.mrt = *what == "rib" ? Command::Mrt::rib : Command::Mrt::history;
    if (t.done()) return fail("mrt dump " + *what + ": expected a file name");
    c.file = t.words[t.at++];
    if (c.file.empty() || c.file.front() != '/') return fail("mrt dump " + *what + ": the file must be an absolute path");
  } else if (*verb == "drain") {
    c.verb = Command::Verb::drain;
    if (!t.done() && !t.quoted[t.at]) {
      const auto k = keyword(t.peek(), {"stop", "and"});
      if (!k) return fail("drain: unexpected '" + t.peek() + "' (expected " + expected({"stop", "and down [SECONDS]"}) + ")");
      ++t.at;
      if (*k == "stop") {
        c.drain = Command::Drain::stop;
      } else {
        if (t.done() || !keyword(t.peek(), {"down"})) return fail("drain and: expected down");
        ++t.at;
        c.drain = Command::Drain::and_down;
        c.timeout_seconds = Command::kDrainAndDownSeconds;
        if (!t.done()) {
          if (!parse_u32(t.peek(), c.timeout_seconds) || c.timeout_seconds > 3600)
            return fail("drain and down: expected a number of seconds (0 to 3600), not '" + t.peek() + "'");
          ++t.at;
        }
      }
    }
  } else {
    c.verb = Command::Verb::down;
  }
  if (!t.done()) return fail("unexpected '" + t.peek() + "' at the end of the command");
  return c;
}

}  // namespace petrel::daemon
