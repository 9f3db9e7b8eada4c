// shell/reply.cpp — reply line parser, assembler and renderers.
#include "shell/reply.hpp"

#include <boost/json.hpp>

#include <cctype>

namespace petrel::shell {

namespace {
bool is_digit(char c) { return c >= '0' && c <= '9'; }
}  // namespace

ReplyLine parse_reply_line(std::string_view raw, int previous_code) {
  ReplyLine l;
  l.raw = std::string(raw);
  if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);  // tolerate CRLF
  if (!raw.empty() && raw[0] == '+') {
    l.kind = ReplyLine::Kind::async;
    l.code = previous_code;
    l.text = std::string(raw.substr(1));
    return l;
  }
  if (!raw.empty() && raw[0] == ' ') {
    l.kind = previous_code >= 0 ? ReplyLine::Kind::continuation : ReplyLine::Kind::malformed;
    l.code = previous_code;
    l.text = std::string(raw.substr(1));
    return l;
  }
  // BIRD's client accepts `DDDD-` / `DDDD ` followed by text, or the bare four digits
  // plus separator; a line of exactly "0000" without separator is not a reply line.
  if (raw.size() >= 5 && is_digit(raw[0]) && is_digit(raw[1]) && is_digit(raw[2]) && is_digit(raw[3]) &&
      (raw[4] == '-' || raw[4] == ' ')) {
    l.code = (raw[0] - '0') * 1000 + (raw[1] - '0') * 100 + (raw[2] - '0') * 10 + (raw[3] - '0');
    l.kind = raw[4] == '-' ? ReplyLine::Kind::more : ReplyLine::Kind::last;
    l.text = std::string(raw.substr(5));
    return l;
  }
  l.kind = ReplyLine::Kind::malformed;
  l.code = previous_code;
  return l;
}

std::string Reply::error_text() const {
  std::string out;
  bool in_error = false;
  for (const auto& l : lines) {
    bool starts = (l.kind == ReplyLine::Kind::more || l.kind == ReplyLine::Kind::last) && is_error_code(l.code);
    if (starts && !in_error) {
      in_error = true;
      out = l.text;
    } else if (in_error && l.kind == ReplyLine::Kind::continuation) {
      out += "\n" + l.text;
    } else if (in_error) {
      break;
    }
  }
  return out;
}

bool ReplyAssembler::feed(std::string_view raw) {
  ReplyLine l = parse_reply_line(raw, previous_code_);
  if (l.kind == ReplyLine::Kind::more || l.kind == ReplyLine::Kind::last) previous_code_ = l.code;
  bool last = l.kind == ReplyLine::Kind::last;
  if (last) reply_.final_code = l.code;
  reply_.lines.push_back(std::move(l));
  return last;
}

Reply ReplyAssembler::take() {
  Reply r = std::move(reply_);
  reply_ = Reply{};
  previous_code_ = -1;
  return r;
}

Rendered render_text(const Reply& reply) {
  Rendered r;
  for (const auto& l : reply.lines) {
    std::string* sink = is_error_code(l.code) ? &r.err : &r.out;
    switch (l.kind) {
      case ReplyLine::Kind::more:
      case ReplyLine::Kind::last:
        if (l.code != 0) *sink += l.text + "\n";
        break;
      case ReplyLine::Kind::continuation: *sink += l.text + "\n"; break;
      case ReplyLine::Kind::async: r.out += ">>> " + l.text + "\n"; break;
      case ReplyLine::Kind::malformed: r.out += "??? <" + l.raw + ">\n"; break;
    }
  }
  return r;
}

int exit_status(const Reply& reply) { return reply.complete() && !reply.is_error() ? 0 : 1; }

namespace {

void pretty(const boost::json::value& v, std::string& out, int indent) {
  auto pad = [&](int n) { out.append(static_cast<std::size_t>(n) * 2, ' '); };
  switch (v.kind()) {
    case boost::json::kind::object: {
      const auto& o = v.get_object();
      if (o.empty()) {
        out += "{}";
        return;
      }
      out += "{\n";
      std::size_t i = 0;
      for (const auto& kv : o) {
        pad(indent + 1);
        out += boost::json::serialize(boost::json::value(kv.key()));
        out += ": ";
        pretty(kv.value(), out, indent + 1);
        if (++i < o.size()) out += ",";
        out += "\n";
      }
      pad(indent);
      out += "}";
      return;
    }
    case boost::json::kind::array: {
      const auto& a = v.get_array();
      if (a.empty()) {
        out += "[]";
        return;
      }
      out += "[\n";
      for (std::size_t i = 0; i < a.size(); ++i) {
        pad(indent + 1);
        pretty(a[i], out, indent + 1);
        if (i + 1 < a.size()) out += ",";
        out += "\n";
      }
      pad(indent);
      out += "]";
      return;
    }
    default: out += boost::json::serialize(v); return;
  }
}

}  // namespace

Result<std::string, Error> pretty_json(std::string_view text) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec) return Error{"not valid JSON: " + ec.message()};
  std::string out;
  pretty(v, out, 0);
  return {boost::system::in_place_value, out + "\n"};
}

Result<std::string, Error> json_document(const Reply& reply) {
  std::string text;
  bool any = false;
  for (const auto& l : reply.lines) {
    if (l.code != json_reply_code) continue;
    if (l.kind != ReplyLine::Kind::more && l.kind != ReplyLine::Kind::last &&
        l.kind != ReplyLine::Kind::continuation) {
      continue;
    }
    if (any) text += '\n';
    text += l.text;
    any = true;
  }
  if (!any) return Error{"the reply carries no JSON document (no 1100 lines)"};
  auto p = pretty_json(text);
  if (!p) return Error{"the server sent invalid JSON (" + p.error().message + ")"};
  return {boost::system::in_place_value, *p};
}

std::vector<std::string> protocol_names(const Reply& reply) {
  std::vector<std::string> names;
  for (const auto& l : reply.lines) {
    if (l.code != 1002 || l.kind == ReplyLine::Kind::async || l.kind == ReplyLine::Kind::malformed) continue;
    std::size_t end = 0;
    while (end < l.text.size() && !std::isspace(static_cast<unsigned char>(l.text[end]))) ++end;
    if (end > 0) names.push_back(l.text.substr(0, end));
  }
  return names;
}

}  // namespace petrel::shell
