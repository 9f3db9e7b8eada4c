// daemon/history_format.hpp — `show route history PREFIX` laid out for the
// control socket: one line per best-path change, oldest first, in BIRD's reply
// framing (code 1007, as route lists), or one JSON document. Times are local,
// with milliseconds, as `show route` prints them. Pure.
#pragma once

#include <vector>

#include "core/ip.hpp"
#include "daemon/control_reply.hpp"
#include "rib/store/records.hpp"

namespace petrel::daemon {

// "2026-11-21 20:31:18.360 replace  t1 10.11.0.2 AS65001  via 10.11.0.2 [AS65001 i] local-pref 100"
std::string history_line(const rib::store::JournalEntry& e);
Reply history_reply(const Prefix& prefix, const std::vector<rib::store::JournalEntry>& entries, bool json);

}  // namespace petrel::daemon
