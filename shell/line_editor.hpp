// shell/line_editor.hpp — petrelc's interactive line editing on libedit.
//
// Prompt, emacs key bindings, history in a bounded file, and three keys bound to
// petrelc's own functions: `?` prints help for the line so far without running it
// (typed literally inside a "quoted string"), Tab completes, Ctrl-C cancels the line.
// What help and completion say comes from the hooks; this file knows nothing about
// commands or the server.
#pragma once

#include "shell/command_parser.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>

struct editline;
struct history;

namespace petrel::shell {

class LineEditor {
 public:
  struct Hooks {
    std::function<std::string(std::string_view before_cursor)> help;
    std::function<Completion(std::string_view before_cursor)> complete;
  };

  // history_path empty: no history file. history_size bounds the entries kept.
  LineEditor(const char* program, Hooks hooks, std::string history_path, int history_size = 1000);
  ~LineEditor();
  LineEditor(const LineEditor&) = delete;
  LineEditor& operator=(const LineEditor&) = delete;

  // The next line without its newline; nullopt at end of input (Ctrl-D).
  std::optional<std::string> read_line();
  void remember(const std::string& line);  // adds to history and saves the file

  // libedit callbacks (public for the C trampolines only).
  unsigned char on_help();
  unsigned char on_complete();
  unsigned char on_cancel();

 private:
  std::string before_cursor() const;

  editline* el_ = nullptr;
  history* history_ = nullptr;
  Hooks hooks_;
  std::string history_path_;
  bool cancelled_ = false;
};

}  // namespace petrel::shell
