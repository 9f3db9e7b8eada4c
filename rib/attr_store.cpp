#include "rib/attr_store.hpp"

#include <boost/container_hash/hash.hpp>

#include "core/result.hpp"

namespace petrel::rib {

std::size_t hash_value(const RouteAttrs& r) {
  using boost::hash_combine;
  const auto& a = r.attrs;
  std::size_t h = 0;
  hash_combine(h, a.origin ? static_cast<int>(*a.origin) : -1);
  if (a.as_path)
    for (const auto& s : a.as_path->segments) {
      hash_combine(h, static_cast<int>(s.type));
      for (uint32_t asn : s.asns) hash_combine(h, asn);
    }
  hash_combine(h, a.next_hop ? hash_value(*a.next_hop) : 0);
  hash_combine(h, a.med.value_or(0) + (a.med ? 1ull << 32 : 0));
  hash_combine(h, a.local_pref.value_or(0) + (a.local_pref ? 1ull << 32 : 0));
  hash_combine(h, a.atomic_aggregate);
  if (a.aggregator) {
    hash_combine(h, a.aggregator->asn);
    hash_combine(h, a.aggregator->address);
  }
  for (uint32_t c : a.communities) hash_combine(h, c);
  hash_combine(h, a.originator_id.value_or(0));
  for (uint32_t c : a.cluster_list) hash_combine(h, c);
  for (const auto& c : a.ext_communities) hash_combine(h, boost::hash_range(c.begin(), c.end()));
  for (const auto& c : a.large_communities) {
    hash_combine(h, c.global);
    hash_combine(h, c.local1);
    hash_combine(h, c.local2);
  }
  for (const auto& u : a.unknown) {
    hash_combine(h, u.type);
    hash_combine(h, boost::hash_range(u.value.begin(), u.value.end()));
  }
  hash_combine(h, hash_value(r.next_hop));
  if (r.link_local_next_hop) hash_combine(h, hash_value(*r.link_local_next_hop));
  return h;
}

AttrStore::AttrStore() : slots_(1), index_(0, Hash{this}, Equal{this}) {}

AttrId AttrStore::intern(const RouteAttrs& a) {
  const Probe probe{&a, hash_value(a)};
  if (auto it = index_.find(probe); it != index_.end()) {
    ++slots_[*it].refs;
    return *it;
  }
  AttrId id;
  if (!free_.empty()) {
    id = free_.back();
    free_.pop_back();
  } else {
    id = static_cast<AttrId>(slots_.size());
    slots_.emplace_back();
  }
  slots_[id] = Slot{a, probe.hash, 1, ++generation_};
  index_.insert(id);
  ++live_;
  return id;
}

void AttrStore::acquire(AttrId id) {
  PETREL_CHECK(id != kNoAttrs && slots_[id].refs > 0, "acquire of a freed attribute set");
  ++slots_[id].refs;
}

void AttrStore::release(AttrId id) {
  PETREL_CHECK(id != kNoAttrs && slots_[id].refs > 0, "release of a freed attribute set");
  if (--slots_[id].refs > 0) return;
  index_.erase(id);
  slots_[id].attrs = RouteAttrs{};  // give its memory back now
  free_.push_back(id);
  --live_;
}

}  // namespace petrel::rib
