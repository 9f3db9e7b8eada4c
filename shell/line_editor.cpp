// shell/line_editor.cpp — libedit glue (native el_* API: EL_ADDFN lets `?` show help
// without submitting the line, which the readline emulation cannot do cleanly).
#include "shell/line_editor.hpp"

#include <histedit.h>

#include <algorithm>
#include <cstdio>

namespace petrel::shell {

namespace {

const char* prompt(EditLine*) { return "petrel> "; }

LineEditor* self(EditLine* el) {
  void* data = nullptr;
  el_get(el, EL_CLIENTDATA, &data);
  return static_cast<LineEditor*>(data);
}

unsigned char help_key(EditLine* el, int) { return self(el)->on_help(); }
unsigned char complete_key(EditLine* el, int) { return self(el)->on_complete(); }
unsigned char cancel_key(EditLine* el, int) { return self(el)->on_cancel(); }

}  // namespace

LineEditor::LineEditor(const char* program, Hooks hooks, std::string history_path, int history_size)
    : hooks_(std::move(hooks)), history_path_(std::move(history_path)) {
  HistEvent ev;
  history_ = history_init();
  ::history(history_, &ev, H_SETSIZE, history_size);
  ::history(history_, &ev, H_SETUNIQUE, 1);
  if (!history_path_.empty()) ::history(history_, &ev, H_LOAD, history_path_.c_str());

  el_ = el_init(program, stdin, stdout, stderr);
  el_set(el_, EL_CLIENTDATA, this);
  el_set(el_, EL_PROMPT, &prompt);
  el_set(el_, EL_EDITOR, "emacs");
  el_set(el_, EL_HIST, ::history, history_);
  // Ctrl-C reaches the editor as a key (not SIGINT) while a line is being edited.
  el_set(el_, EL_SETTY, "-d", "-isig", nullptr);
  // The wide form: the narrow el_set(EL_ADDFN) copies the names and never frees them.
  el_wset(el_, EL_ADDFN, L"petrel-help", L"Show the words that may come next", &help_key);
  el_wset(el_, EL_ADDFN, L"petrel-complete", L"Complete the word", &complete_key);
  el_wset(el_, EL_ADDFN, L"petrel-cancel", L"Cancel the line", &cancel_key);
  el_set(el_, EL_BIND, "?", "petrel-help", nullptr);
  el_set(el_, EL_BIND, "^I", "petrel-complete", nullptr);
  el_set(el_, EL_BIND, "^C", "petrel-cancel", nullptr);
}

LineEditor::~LineEditor() {
  if (el_) el_end(el_);
  if (history_) history_end(history_);
}

std::optional<std::string> LineEditor::read_line() {
  int count = 0;
  cancelled_ = false;
  const char* line = el_gets(el_, &count);
  // A cancelled line comes back empty (no newline): it is a blank line, not the end.
  if (cancelled_) return std::string();
  if (line == nullptr || count <= 0) return std::nullopt;
  std::string s(line, static_cast<std::size_t>(count));
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

void LineEditor::remember(const std::string& line) {
  if (line.find_first_not_of(" \t") == std::string::npos) return;
  HistEvent ev;
  ::history(history_, &ev, H_ENTER, line.c_str());
  if (!history_path_.empty()) ::history(history_, &ev, H_SAVE, history_path_.c_str());
}

std::string LineEditor::before_cursor() const {
  const LineInfo* li = el_line(el_);
  return std::string(li->buffer, static_cast<std::size_t>(li->cursor - li->buffer));
}

unsigned char LineEditor::on_help() {
  std::string before = before_cursor();
  // Inside a "quoted string" (a message), `?` is just a character.
  if (std::count(before.begin(), before.end(), '"') % 2 == 1) {
    el_insertstr(el_, "?");
    return CC_REFRESH;
  }
  std::string text = hooks_.help ? hooks_.help(before) : std::string();
  std::fputs("?\n", stdout);
  std::fputs(text.c_str(), stdout);
  std::fflush(stdout);
  return CC_REDISPLAY;
}

unsigned char LineEditor::on_complete() {
  if (!hooks_.complete) return CC_REFRESH_BEEP;
  Completion c = hooks_.complete(before_cursor());
  std::string insert = c.insertion();
  if (!insert.empty()) {
    el_insertstr(el_, insert.c_str());
    return CC_REFRESH;
  }
  if (c.candidates.size() > 1) {
    std::string list = "\n";
    for (const auto& w : c.candidates) list += w + "  ";
    list += "\n";
    std::fputs(list.c_str(), stdout);
    std::fflush(stdout);
    return CC_REDISPLAY;
  }
  return CC_REFRESH_BEEP;
}

unsigned char LineEditor::on_cancel() {
  const LineInfo* li = el_line(el_);
  el_cursor(el_, static_cast<int>(li->lastchar - li->cursor));
  li = el_line(el_);
  el_deletestr(el_, static_cast<int>(li->cursor - li->buffer));
  std::fputs("^C\n", stdout);
  std::fflush(stdout);
  cancelled_ = true;
  return CC_NEWLINE;
}

}  // namespace petrel::shell
