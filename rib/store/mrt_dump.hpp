// rib/store/mrt_dump.hpp — whole MRT files (RFC 6396) from their sources: the
// Loc-RIB's best paths as a TABLE_DUMP_V2 snapshot (PEER_INDEX_TABLE first,
// then one RIB record per prefix), and the store's route journal as BGP4MP
// UPDATE records. Pure apart from reading the store; records in mrt.hpp.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "rib/store/mrt.hpp"
#include "rib/store/store.hpp"

namespace petrel::rib::store::mrt {

struct DumpPath {
  PeerRef peer;
  const RouteAttrs* attrs = nullptr;  // live while the dump is encoded
};
struct DumpRoute {
  Prefix prefix;
  std::vector<DumpPath> paths;  // best first
};

// TABLE_DUMP_V2: peers are numbered in order of first appearance; `router_id`
// is the collector id, `originated` the RIB entries' Originated Time.
std::vector<uint8_t> encode_rib_dump(uint32_t timestamp, uint32_t router_id, std::string_view view_name,
                                     std::span<const DumpRoute> routes, uint32_t originated);
// BGP4MP_MESSAGE_AS4 records of every journal entry, oldest first. `skipped`
// counts entries that do not decode.
std::vector<uint8_t> encode_journal_dump(const Store& store, uint32_t local_as, const IpAddress& local_address,
                                         std::size_t* skipped = nullptr);

}  // namespace petrel::rib::store::mrt
