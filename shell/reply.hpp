// shell/reply.hpp — BIRD control-protocol replies: line parser, reply assembly, and
// the two renderings petrelc prints (text as birdc prints it; Petrel's JSON extension).
//
// A reply line is `DDDD-text` (more follow), `DDDD text` (the last line of the reply),
// ` text` (continuation: same code as the line before) or `+text` (spontaneous
// printout). Codes: 0xxx ok/action, 1xxx table entry, 2xxx table heading, 8xxx run-time
// error, 9xxx parse error (BIRD's doc/reply_codes). JSON extension: the texts of the
// 1100 lines, joined with newlines, form one JSON document (shell/README.md).
//
// Pure: strings in, values out; never throws on malformed input (a malformed line is
// kept, marked, and shown as birdc shows it: `??? <line>`).
#pragma once

#include "core/result.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace petrel::shell {

inline constexpr int json_reply_code = 1100;

struct ReplyLine {
  enum class Kind { more, last, continuation, async, malformed };
  Kind kind = Kind::malformed;
  int code = -1;     // the line's code; a continuation carries the code of the line before
  std::string text;  // without code and separator
  std::string raw;   // as received (without the newline)
};

// `previous_code` is the code a continuation line inherits (-1 if none yet).
ReplyLine parse_reply_line(std::string_view raw, int previous_code);

inline bool is_error_code(int code) { return code >= 8000; }

struct Reply {
  std::vector<ReplyLine> lines;
  int final_code = -1;  // code of the last line; -1 while incomplete
  bool complete() const { return final_code >= 0; }
  bool is_error() const { return is_error_code(final_code); }
  // The first error line's text (the whole error, continuation lines joined), or "".
  std::string error_text() const;
};

// Collects lines until the last line of a reply.
class ReplyAssembler {
 public:
  // Adds one line (without its newline); true when the reply is complete.
  bool feed(std::string_view raw);
  const Reply& reply() const { return reply_; }
  Reply take();

 private:
  Reply reply_;
  int previous_code_ = -1;
};

// birdc's rendering: the text of every line with a non-zero code and of every
// continuation; `>>> text` for spontaneous printouts; `??? <raw>` for malformed lines.
// Lines of error replies (8xxx/9xxx) go to `err`, the rest to `out`.
struct Rendered {
  std::string out;
  std::string err;
};
Rendered render_text(const Reply& reply);

// The exit status of a one-shot command: 0 unless the reply ended with an error code
// (as birdc: last code >= 8000 gives 1).
int exit_status(const Reply& reply);

// Petrel's JSON extension: the document carried by the 1100 lines, pretty-printed;
// or an error saying what is wrong with it.
Result<std::string, Error> json_document(const Reply& reply);

// Pretty-prints any JSON text (two-space indent); an error message if it is not JSON.
Result<std::string, Error> pretty_json(std::string_view text);

// The names of the protocols in a `show protocols` reply (first column of its 1002
// lines, continuations included).
std::vector<std::string> protocol_names(const Reply& reply);

}  // namespace petrel::shell
