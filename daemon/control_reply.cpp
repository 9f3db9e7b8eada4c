// daemon/control_reply.cpp — see control_reply.hpp.
#include "daemon/control_reply.hpp"

#include <boost/json.hpp>

#include <cstdio>

namespace petrel::daemon {

Reply& Reply::line(int code, std::string text) {
  lines_.emplace_back(code, std::move(text));
  return *this;
}

Reply& Reply::lines(int code, std::string_view text) {
  std::size_t at = 0;
  while (at <= text.size()) {
    const std::size_t nl = text.find('\n', at);
    const std::size_t end = nl == std::string_view::npos ? text.size() : nl;
    lines_.emplace_back(code, std::string(text.substr(at, end - at)));
    if (nl == std::string_view::npos) break;
    at = nl + 1;
  }
  return *this;
}

Reply& Reply::end(int code, std::string text) {
  lines_.emplace_back(code, std::move(text));
  ended_ = true;
  return *this;
}

bool Reply::is_error() const { return ended_ && !lines_.empty() && lines_.back().first >= 8000; }

std::string Reply::encode() const {
  std::string out;
  char code[8];
  std::vector<std::pair<int, std::string>> all = lines_;
  if (!ended_) all.emplace_back(reply_code::ok, "");
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto& [c, text] = all[i];
    // A line of text never carries a newline: that would end the line early.
    std::string t = text;
    for (char& ch : t)
      if (ch == '\n' || ch == '\r') ch = ' ';
    std::snprintf(code, sizeof code, "%04d", c % 10000);
    if (i + 1 == all.size()) {
      out += code;
      out += ' ';
    } else if (i > 0 && all[i - 1].first == c) {
      out += ' ';
    } else {
      out += code;
      out += '-';
    }
    out += t;
    out += '\n';
  }
  return out;
}

Reply action_json(const Reply& text) {
  if (text.is_error()) return text;
  boost::json::array lines;
  int code = reply_code::ok;
  std::string message;
  for (const auto& [c, t] : text.entries()) {
    if (c == reply_code::ok && t.empty()) continue;  // the bare end of a reply
    lines.push_back(boost::json::object{{"code", c}, {"text", t}});
    code = c;
    message = t;
  }
  Reply r;
  r.lines(reply_code::json, boost::json::serialize(boost::json::object{
                                {"result", "ok"}, {"code", code}, {"message", message}, {"lines", std::move(lines)}}));
  return r;
}

}  // namespace petrel::daemon
