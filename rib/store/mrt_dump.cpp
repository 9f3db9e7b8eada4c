// rib/store/mrt_dump.cpp — whole MRT files (mrt_dump.hpp).
#include "rib/store/mrt_dump.hpp"

#include <map>
#include <tuple>

namespace petrel::rib::store::mrt {

std::vector<uint8_t> encode_rib_dump(uint32_t timestamp, uint32_t router_id, std::string_view view_name,
                                     std::span<const DumpRoute> routes, uint32_t originated) {
  // The peer index: one entry per (address, AS, router id).
  std::map<std::tuple<IpAddress, uint32_t, uint32_t>, uint16_t> index;
  std::vector<Peer> peers;
  for (const DumpRoute& r : routes)
    for (const DumpPath& p : r.paths) {
      auto [it, fresh] = index.try_emplace({p.peer.address, p.peer.as, p.peer.router_id}, static_cast<uint16_t>(peers.size()));
      if (fresh) peers.push_back(Peer{p.peer.router_id, p.peer.address, p.peer.as});
    }
  std::vector<uint8_t> out;
  encode_peer_index_table(timestamp, router_id, view_name, peers, out);
  uint32_t sequence = 0;
  std::vector<RibEntry> entries;
  for (const DumpRoute& r : routes) {
    entries.clear();
    for (const DumpPath& p : r.paths)
      entries.push_back(RibEntry{index.at({p.peer.address, p.peer.as, p.peer.router_id}), originated, p.attrs});
    encode_rib(timestamp, sequence++, r.prefix, entries, out);
  }
  return out;
}

std::vector<uint8_t> encode_journal_dump(const Store& store, uint32_t local_as, const IpAddress& local_address,
                                         std::size_t* skipped) {
  std::vector<uint8_t> out;
  const std::size_t bad =
      store.for_each_journal([&](const JournalEntry& e) { encode_journal_entry(e, local_as, local_address, out); });
  if (skipped) *skipped = bad;
  return out;
}

}  // namespace petrel::rib::store::mrt
