// daemon/history_format.cpp — see history_format.hpp.
#include "daemon/history_format.hpp"

#include <boost/json.hpp>

#include <cstdio>
#include <ctime>

#include "daemon/bird_format.hpp"

namespace petrel::daemon {
namespace {

std::string format_ms(int64_t ms) {
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  localtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%03d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

std::string peer_text(const rib::store::PeerRef& p) {
  if (p.name.empty()) return "-";
  if (p.address.is_unspecified()) return p.name;
  return p.name + " " + p.address.to_string() + " AS" + std::to_string(p.as);
}

}  // namespace

std::string history_line(const rib::store::JournalEntry& e) {
  std::string change(rib::store::to_string(e.change));
  change.resize(8, ' ');
  std::string line = format_ms(e.time_ms) + " " + change + " " + peer_text(e.peer);
  if (e.change != rib::store::ChangeKind::withdraw) line += "  " + rib::store::describe(e.attrs);
  return line;
}

Reply history_reply(const Prefix& prefix, const std::vector<rib::store::JournalEntry>& entries, bool json) {
  if (json) {
    boost::json::array a;
    for (const auto& e : entries) {
      boost::json::object o{{"seq", e.seq},
                            {"time", format_ms(e.time_ms)},
                            {"time_ms", e.time_ms},
                            {"change", std::string(rib::store::to_string(e.change))},
                            {"peer", e.peer.name},
                            {"peer_address", e.peer.address.to_string()},
                            {"peer_as", e.peer.as}};
      if (e.change != rib::store::ChangeKind::withdraw) {
        const auto& s = e.attrs;
        o["next_hop"] = s.next_hop.to_string();
        boost::json::array next_hops{boost::json::string(s.next_hop.to_string())};
        for (const auto& nh : s.other_next_hops) next_hops.push_back(boost::json::string(nh.to_string()));
        o["next_hops"] = std::move(next_hops);
        o["as_path"] = s.as_path.to_string();
        o["origin"] = !s.origin ? "?" : bgp::wire::to_string(*s.origin);
        if (s.local_pref) o["local_pref"] = *s.local_pref;
        if (s.med) o["med"] = *s.med;
        boost::json::array comms;
        for (uint32_t c : s.communities) comms.push_back(boost::json::string(bgp::wire::community_to_string(c)));
        o["communities"] = std::move(comms);
      }
      a.push_back(std::move(o));
    }
    return json_reply(boost::json::object{{"prefix", prefix.to_string()}, {"history", std::move(a)}});
  }
  if (entries.empty()) return Reply::error(reply_code::runtime_error, "No route history for " + prefix.to_string());
  Reply r;
  r.line(reply_code::route_list, "Route history of " + prefix.to_string() + ": " + std::to_string(entries.size()) +
                                     (entries.size() == 1 ? " change" : " changes") + ", oldest first");
  for (const auto& e : entries) r.line(reply_code::route_list, history_line(e));
  return r;
}

}  // namespace petrel::daemon
