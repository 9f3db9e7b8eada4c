// bgp/wire/attrs/attrs.hpp — the decode/encode functions of each path attribute,
// one file per attribute, gathered by attr_table.cpp. Internal to bgp/wire.
#pragma once

#include "bgp/wire/attr_table.hpp"

namespace petrel::bgp::wire::attrs {

#define PETREL_ATTR(name)                                  \
  void decode_##name(const AttrInput&, AttrDecoder&);     \
  void encode_##name(const PathAttributes&, const CodecContext&, std::vector<uint8_t>&);

PETREL_ATTR(origin)
PETREL_ATTR(as_path)
PETREL_ATTR(next_hop)
PETREL_ATTR(med)
PETREL_ATTR(local_pref)
PETREL_ATTR(atomic_aggregate)
PETREL_ATTR(aggregator)
PETREL_ATTR(communities)
PETREL_ATTR(originator_id)
PETREL_ATTR(cluster_list)
PETREL_ATTR(ext_communities)
PETREL_ATTR(as4_path)
PETREL_ATTR(as4_aggregator)
PETREL_ATTR(large_communities)
#undef PETREL_ATTR

void decode_mp_reach(const AttrInput&, AttrDecoder&);
void decode_mp_unreach(const AttrInput&, AttrDecoder&);

// For the list attributes (communities, cluster list…): RFC 7606 §7.8, §7.10,
// §7.14 and RFC 8092 §6 call a value that is not a non-zero multiple of the item
// size malformed, treat-as-withdraw. Records the error and returns false then.
bool check_item_list(const AttrInput& in, AttrDecoder& d, std::size_t item_size);

// RFC 6793 §4.2.3: rebuilds the 4-octet AS_PATH and AGGREGATOR of a 2-octet peer
// from AS4_PATH and AS4_AGGREGATOR, after every attribute has been read.
void merge_as4(AttrDecoder& d);

}  // namespace petrel::bgp::wire::attrs
