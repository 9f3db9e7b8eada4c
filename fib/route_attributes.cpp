#include "fib/route_attributes.hpp"

#include <boost/container_hash/hash.hpp>

namespace petrel::fib {

namespace {

bool same_attributes(const RouteAttributes& a, const Route& r) {
  return a.blackhole == r.blackhole && a.metric == r.metric && a.nexthop_id == r.nexthop_id &&
         a.preferred_source == r.preferred_source && a.nexthops == r.nexthops;
}

RouteAttributes attributes_of(const Route& r) {
  return RouteAttributes{r.nexthops, r.blackhole, r.preferred_source, r.metric, r.nexthop_id};
}

}  // namespace

std::size_t RouteAttributeTable::Hash::operator()(const RouteAttributes& a) const {
  std::size_t seed = a.nexthops.size();
  for (const NextHop& nh : a.nexthops) {
    boost::hash_combine(seed, hash_value(nh.gateway));
    boost::hash_combine(seed, nh.ifindex);
    boost::hash_combine(seed, nh.weight);
  }
  boost::hash_combine(seed, a.blackhole);
  boost::hash_combine(seed, a.preferred_source ? hash_value(*a.preferred_source) : 0);
  boost::hash_combine(seed, a.metric ? uint64_t{*a.metric} + 1 : 0);
  boost::hash_combine(seed, a.nexthop_id);
  return seed;
}

RouteAttributeTable::Id RouteAttributeTable::acquire(const Route& route) {
  if (last_ != 0 && slots_[last_].references > 0 && same_attributes(slots_[last_].attributes, route)) {
    ++slots_[last_].references;
    return last_;
  }
  RouteAttributes attributes = attributes_of(route);
  auto it = ids_.find(attributes);
  Id id;
  if (it != ids_.end()) {
    id = it->second;
  } else {
    if (!free_.empty()) {
      id = free_.back();
      free_.pop_back();
    } else {
      id = static_cast<Id>(slots_.size());
      slots_.emplace_back();
    }
    slots_[id].attributes = attributes;
    ids_.emplace(std::move(attributes), id);
  }
  ++slots_[id].references;
  last_ = id;
  return id;
}

void RouteAttributeTable::release(Id id) {
  Slot& slot = slots_[id];
  if (--slot.references > 0) return;
  ids_.erase(slot.attributes);
  slot.attributes = {};
  free_.push_back(id);
}

Route RouteAttributeTable::route(const Prefix& prefix, Id id) const {
  const RouteAttributes& a = slots_[id].attributes;
  Route r;
  r.prefix = prefix;
  r.nexthops = a.nexthops;
  r.blackhole = a.blackhole;
  r.preferred_source = a.preferred_source;
  r.metric = a.metric;
  r.nexthop_id = a.nexthop_id;
  return r;
}

uint32_t RouteAttributeTable::effective_metric(const Prefix& prefix, Id id) const {
  return fib::effective_metric(prefix, slots_[id].attributes.metric);
}

}  // namespace petrel::fib
