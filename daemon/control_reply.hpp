// daemon/control_reply.hpp — a reply in BIRD's control protocol: numbered lines
// that Debian's birdc (and tools that parse it) read unchanged.
//
// Each line is "DDDD-text" (more lines follow), " text" (a continuation: the same
// code as the line before) or "DDDD text" (the last line of the reply). Codes
// (BIRD's doc/reply_codes): 0xxx done, 1xxx table entry, 2xxx table heading,
// 8xxx run-time error, 9xxx parse error. Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace petrel::daemon {

namespace reply_code {
inline constexpr int ok = 0;                  // 0000
inline constexpr int welcome = 1;             // 0001
inline constexpr int reading_config = 2;      // 0002
inline constexpr int reconfigured = 3;        // 0003
inline constexpr int reconfig_in_progress = 4;
inline constexpr int shutdown_ordered = 7;    // 0007
inline constexpr int already_disabled = 8;
inline constexpr int disabled = 9;
inline constexpr int already_enabled = 10;
inline constexpr int enabled = 11;
inline constexpr int restarted = 12;
inline constexpr int status_report = 13;
inline constexpr int route_count = 14;
inline constexpr int reloading = 15;
inline constexpr int access_restricted = 16;
inline constexpr int undo_requested = 19;     // 0019 Undo requested
inline constexpr int config_ok = 20;          // 0020 Configuration OK
inline constexpr int confirmation = 22;       // 0022 Undo scheduled / confirmation
inline constexpr int mrt_written = 50;        // 0050 Petrel: an MRT file was written
inline constexpr int drain = 30;              // Petrel: drain started or stopped (no BIRD code; after BIRD's 0000-0025)
inline constexpr int version = 1000;
inline constexpr int interface_list = 1001;
inline constexpr int protocol_list = 1002;
inline constexpr int interface_address = 1003;
inline constexpr int interface_flags = 1004;
inline constexpr int protocol_details = 1006;
inline constexpr int route_list = 1007;
inline constexpr int route_details = 1008;
inline constexpr int router_id = 1011;
inline constexpr int route_attributes = 1012;
inline constexpr int memory = 1018;
inline constexpr int bfd_sessions = 1020;
inline constexpr int json = 1100;             // Petrel: lines of one JSON document
inline constexpr int protocol_heading = 2002;
inline constexpr int runtime_error = 8001;    // generic run-time error
inline constexpr int no_protocols = 8003;     // "No protocols match"
inline constexpr int parse_error = 9001;
}  // namespace reply_code

class Reply {
 public:
  Reply& line(int code, std::string text);
  // Lines of `text` split at '\n', all with `code`.
  Reply& lines(int code, std::string_view text);
  // Ends the reply with "DDDD text"; without it, encode() ends with "0000 ".
  Reply& end(int code, std::string text = {});
  bool is_error() const;

  // The protocol bytes, each line ending in '\n'.
  std::string encode() const;
  // The texts only (tests, and the JSON assembly).
  const std::vector<std::pair<int, std::string>>& entries() const { return lines_; }

  static Reply error(int code, std::string text) { return Reply().end(code, std::move(text)); }

 private:
  std::vector<std::pair<int, std::string>> lines_;
  bool ended_ = false;
};

// An action's reply (enable, disable, restart, reload, configure, down, drain,
// mrt dump) as Petrel's JSON extension answers it, one shape for every action:
// the document {"result": "ok", "code": N, "message": TEXT, "lines": [{"code": N,
// "text": TEXT}, ...]} in code-1100 lines, where code and message are the
// reply's outcome (its last line that is not a bare 0000) and "lines" all of it,
// in order. An error reply (8xxx, 9xxx) is returned unchanged: errors answer the
// same with and without `json`, for show commands and actions alike.
Reply action_json(const Reply& text);

}  // namespace petrel::daemon
