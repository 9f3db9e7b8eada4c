// rib/store/mrt.hpp — MRT export (RFC 6396), pure: values in, record bytes out.
//
//   TABLE_DUMP_V2 (type 13, §4.3): one PEER_INDEX_TABLE (§4.3.1), then one
//     RIB_IPV4_UNICAST / RIB_IPV6_UNICAST record (§4.3.2) per prefix, its RIB
//     entries' attributes encoded as §4.3.4 says (AS_PATH with 4-octet AS
//     numbers; for IPv6, MP_REACH_NLRI holding only the next hop).
//   BGP4MP (type 16, §4.4): one BGP4MP_MESSAGE_AS4 (§4.4.3) per journal entry,
//     holding a whole BGP UPDATE (4-octet AS) that announces or withdraws it.
// Every record starts with the common header (§2): timestamp, type, subtype,
// length. Debian's `bgpdump` reads both (tests/rib/store_mrt_bgpdump_test.sh).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/ip.hpp"
#include "rib/attr_store.hpp"
#include "rib/store/records.hpp"

namespace petrel::rib::store::mrt {

inline constexpr uint16_t kTableDumpV2 = 13;
inline constexpr uint16_t kPeerIndexTable = 1;
inline constexpr uint16_t kRibIpv4Unicast = 2;
inline constexpr uint16_t kRibIpv6Unicast = 4;
inline constexpr uint16_t kBgp4mp = 16;
inline constexpr uint16_t kBgp4mpMessageAs4 = 4;

struct Peer {
  uint32_t bgp_id = 0;  // host order
  IpAddress address;
  uint32_t as = 0;
};

struct RibEntry {
  uint16_t peer_index = 0;
  uint32_t originated_time = 0;  // Unix seconds
  const RouteAttrs* attrs = nullptr;
};

// §4.3.1; peers are written with 4-octet AS numbers (peer type bit 1).
void encode_peer_index_table(uint32_t timestamp, uint32_t collector_id, std::string_view view_name,
                             std::span<const Peer> peers, std::vector<uint8_t>& out);
// §4.3.2, subtype by the prefix's family.
void encode_rib(uint32_t timestamp, uint32_t sequence, const Prefix& prefix, std::span<const RibEntry> entries,
                std::vector<uint8_t>& out);
// §4.3.4: the attributes of one RIB entry.
void encode_rib_attributes(const Prefix& prefix, const RouteAttrs& attrs, std::vector<uint8_t>& out);

// §4.4.3: `message` is a whole BGP message (marker included). Both addresses
// are written in the family of `peer_address` (`local_address` is replaced by
// the unspecified address of that family when its family differs).
void encode_bgp4mp_message_as4(uint32_t timestamp, uint32_t peer_as, uint32_t local_as, const IpAddress& peer_address,
                               const IpAddress& local_address, std::span<const uint8_t> message,
                               std::vector<uint8_t>& out);
// The UPDATE a journal entry stands for (announce/replace: the summary's
// attributes and the prefix; withdraw: the prefix withdrawn), 4-octet AS.
std::vector<uint8_t> journal_update(const JournalEntry& e);
// A journal entry as one BGP4MP_MESSAGE_AS4 record.
void encode_journal_entry(const JournalEntry& e, uint32_t local_as, const IpAddress& local_address,
                          std::vector<uint8_t>& out);

}  // namespace petrel::rib::store::mrt
